//! Orphan blobs are collected at start: a data dir is left as a crash would leave it — a blob
//! written whose commit never came, a delete whose commit came but whose unlink did not, a
//! half-written temporary file — and the restarted server has removed exactly those files,
//! while every object and the open multipart upload's part still read back.

use crate::body::Body;
use crate::disk;
use crate::server::{self, Proc};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use std::sync::Arc;
use std::time::SystemTime;
use trailstack_store::{journal, BlobStore, Db, StoreError};

fn blob_path(data: &std::path::Path, id: &str) -> std::path::PathBuf {
    data.join("blobs").join(&id[..2]).join(id)
}

async fn read(s3: &aws_sdk_s3::Client, key: &str) -> Vec<u8> {
    let out = s3.get_object().bucket("gcb").key(key).send().await.unwrap();
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_removes_the_blobs_a_crash_left_unreferenced() {
    let scratch = tempfile::tempdir().unwrap();
    let (data, log) = (scratch.path().join("data"), scratch.path().join("log"));
    let mut p = Proc::spawn(&data, &log);
    let s3 = server::s3(&p.ready().unwrap());
    s3.create_bucket().bucket("gcb").send().await.unwrap();
    let bodies: Vec<Body> = (0..4)
        .map(|i| Body {
            seed: i,
            len: [100_000, 10, 300_000, 70_000][i as usize],
        })
        .collect();
    for (i, b) in bodies.iter().enumerate() {
        s3.put_object()
            .bucket("gcb")
            .key(format!("k{i}"))
            .body(ByteStream::from(b.bytes()))
            .send()
            .await
            .unwrap();
    }
    // An open multipart upload: its part's blob is referenced by the part, not by an object.
    let upload = s3
        .create_multipart_upload()
        .bucket("gcb")
        .key("mp")
        .send()
        .await
        .unwrap()
        .upload_id
        .unwrap();
    let part_body = Body {
        seed: 9,
        len: 40_000,
    };
    let part = s3
        .upload_part()
        .bucket("gcb")
        .key("mp")
        .upload_id(&upload)
        .part_number(1)
        .body(ByteStream::from(part_body.bytes()))
        .send()
        .await
        .unwrap();
    p.kill9();
    let before = disk::blob_files(&data);
    assert_eq!(before.len(), 4, "three objects and a part have blobs");

    // What a crash leaves, made with the store itself over the same data dir.
    let db = Arc::new(Db::open(&data.join("meta.sqlite"), journal::MIGRATIONS).unwrap());
    let store = BlobStore::open(&data, db.clone()).unwrap();
    let mut w = store.create().await.unwrap();
    w.write(&[1u8; 50_000]).await.unwrap();
    let (uncommitted, _) = w.finish().await.unwrap();
    // k2's delete: committed (row gone, blob released) but the crash came before the unlink.
    let deleted: String = db
        .write(|c| {
            let meta: String = c.query_one(
                "SELECT meta FROM s3_objects WHERE bucket = 'gcb' AND key = CAST('k2' AS BLOB)",
                &[],
                |r| r.get(0),
            )?;
            let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
            let blob = meta["segments"][0]["blob"].as_str().unwrap().to_string();
            c.execute(
                "DELETE FROM s3_objects WHERE bucket = 'gcb' AND key = CAST('k2' AS BLOB)",
                &[],
            )?;
            journal::release(c, [blob.as_str()])?;
            Ok::<_, StoreError>(blob)
        })
        .await
        .unwrap();
    drop((store, db));
    std::fs::write(data.join("tmp").join("half-written"), b"partial").unwrap();
    assert!(blob_path(&data, uncommitted.as_str()).exists());
    assert!(blob_path(&data, &deleted).exists());

    let started = SystemTime::now();
    let mut p = Proc::spawn(&data, &log);
    let s3 = server::s3(&p.ready().unwrap());
    assert!(!blob_path(&data, uncommitted.as_str()).exists());
    assert!(!blob_path(&data, &deleted).exists());
    assert_eq!(std::fs::read_dir(data.join("tmp")).unwrap().count(), 0);
    assert_eq!(disk::check(&data, started), Ok(3));
    for i in [0, 1, 3] {
        assert!(bodies[i].matches(&read(&s3, &format!("k{i}")).await));
    }
    let gone = s3.get_object().bucket("gcb").key("k2").send().await;
    assert!(gone.is_err());
    s3.complete_multipart_upload()
        .bucket("gcb")
        .key("mp")
        .upload_id(&upload)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .e_tag(part.e_tag().unwrap())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(part_body.matches(&read(&s3, "mp").await));
    p.kill9();
}
