//! Where the bytes go: ranges across chunks, multipart, copies between modes, nothing secret on
//! disk, and objects stored before encryption at rest.

use super::*;

/// Range GETs of a 20 MiB SSE-KMS object, across chunk boundaries.
#[tokio::test]
async fn ranges_of_a_large_kms_object() {
    let (s, c) = Server::start_with_bucket("ranges").await;
    let k = new_key(&s).await;
    let body = data(20 * 1024 * 1024, 7);
    ok!(put_req(&c, "ranges", "big", &body).kms_key(&k));
    const C: usize = 64 * 1024;
    let n = body.len();
    for (a, b) in [
        (0, 0),
        (C - 1, C),
        (C - 3, 3 * C + 5),
        (5 * C, 6 * C - 1),
        (10 * 1024 * 1024 - 7, 12 * 1024 * 1024 + 9),
        (n - C - 1, n - 1),
        (n - 1, n - 1),
    ] {
        let got = ok!(get_req(&c, "ranges", "big").range(format!("bytes={a}-{b}")));
        assert_eq!(body_bytes(got).await, &body[a..=b], "bytes={a}-{b}");
    }
    let got = ok!(get_req(&c, "ranges", "big").range("bytes=-70000"));
    assert_eq!(body_bytes(got).await, &body[n - 70000..]);
    let got = get_out(&c, "ranges", "big").await;
    assert!(body_bytes(got).await == body);
}
/// A multipart SSE-KMS upload: headers at Create, echoed by parts and Complete; reads back.
#[tokio::test]
async fn multipart_kms_upload() {
    let (s, c) = Server::start_with_bucket("multi").await;
    let k = new_key(&s).await;
    let created = ok!(create_upload_req(&c, "multi", "m").kms_key(&k));
    assert_eq!(created.ssekms_key_id(), Some(k.as_str()));
    let id = created.upload_id().unwrap();
    let parts = [data(5 * 1024 * 1024, 80), data(100_000, 81)];
    let outs = send_parts_with(&c, "multi", "m", id, None, &parts).await;
    for out in &outs {
        assert_eq!(out.server_side_encryption(), Some(&Sse::AwsKms));
        assert_eq!(out.ssekms_key_id(), Some(k.as_str()));
    }
    let out = complete_upload(&c, "multi", "m", id, &part_entries(&outs)).await;
    assert_eq!(out.server_side_encryption(), Some(&Sse::AwsKms));
    assert_eq!(out.ssekms_key_id(), Some(k.as_str()));
    let whole = parts.concat();
    assert_eq!(
        read_back(&c, "multi", "m", &whole).await,
        (Some("aws:kms".into()), Some(k))
    );
}
/// Copies between encryption modes; a copy without SSE headers takes the destination default.
#[tokio::test]
async fn copies_between_modes() {
    let (s, c) = Server::start_with_bucket("copies").await;
    let k = new_key(&s).await;
    let ckey = CustomerKey::seeded(12);
    let body = data(150_000, 13);
    put(&c, "copies", "plain", &body).await;
    // SSE-S3 -> SSE-KMS.
    let out = ok!(copy_req(&c, "copies", "kms", "copies/plain").kms_key(&k));
    assert_eq!(out.ssekms_key_id(), Some(k.as_str()));
    assert_eq!(
        read_back(&c, "copies", "kms", &body).await,
        (Some("aws:kms".into()), Some(k.clone()))
    );
    // SSE-KMS -> SSE-C.
    ok!(copy_req(&c, "copies", "cust", "copies/kms").customer_key(&ckey));
    // SSE-C -> destination default (SSE-KMS with k), needing the source key.
    default_kms(&c, "copies", Some(&k), false).await;
    let e = err!(copy_req(&c, "copies", "back", "copies/cust"));
    assert_eq!(status(&e), 400);
    ok!(copy_req(&c, "copies", "back", "copies/cust")
        .copy_source_sse_customer_algorithm("AES256")
        .copy_source_sse_customer_key(&ckey.key)
        .copy_source_sse_customer_key_md5(&ckey.md5));
    assert_eq!(
        read_back(&c, "copies", "back", &body).await,
        (Some("aws:kms".into()), Some(k.clone()))
    );
    // Same object, changing encryption only, is allowed.
    ok!(copy_req(&c, "copies", "back", "copies/back").server_side_encryption(Sse::Aes256));
    assert_eq!(
        read_back(&c, "copies", "back", &body).await,
        (Some("AES256".into()), None)
    );
}
fn found(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A byte search of the whole data dir finds no object plaintext, no data key, no SSE-C key.
#[tokio::test]
async fn nothing_secret_on_disk() {
    let (s, c) = Server::start_with_bucket("disk").await;
    let k = new_key(&s).await;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let ckey = CustomerKey::seeded(seed ^ 0xC);
    let mut markers = Vec::new();
    for (i, size) in [1000usize, 300_000].into_iter().enumerate() {
        for mode in 0..3 {
            let marker = data(64, seed.wrapping_add((i * 3 + mode) as u64));
            let mut body = data(size, seed ^ 77);
            for at in [0, size / 2, size - 64] {
                body[at..at + 64].copy_from_slice(&marker);
            }
            let name = format!("o{i}{mode}");
            let req = put_req(&c, "disk", &name, &body);
            let req = match mode {
                0 => req,
                1 => req.kms_key(&k),
                _ => req.customer_key(&ckey),
            };
            req.send().await.unwrap();
            markers.push((name, mode, marker));
        }
    }
    // The data keys: SSE-S3 opened with the root key, SSE-KMS decrypted through KMS.
    let root = trailstack_store::RootKey::load_or_create(&s.data_dir()).unwrap();
    let mut secrets = vec![ckey.raw.clone()];
    for (name, mode, _) in &markers {
        let sse = stored_sse(&s, "disk", name);
        let wrapped = base64::engine::general_purpose::STANDARD
            .decode(sse["wrapped_key"].as_str().unwrap())
            .unwrap();
        match mode {
            0 => secrets.push(
                root.open(trailstack_s3::sse::keys::SSE_S3_PURPOSE, &wrapped)
                    .unwrap()
                    .to_vec(),
            ),
            1 => {
                let out = ok!(s
                    .kms()
                    .decrypt()
                    .ciphertext_blob(aws_smithy_types::Blob::new(wrapped))
                    .encryption_context("aws:s3:arn", format!("arn:aws:s3:::disk/{name}")));
                secrets.push(out.plaintext().unwrap().as_ref().to_vec());
            }
            _ => assert!(sse["customer_check"].is_array()),
        }
        let rule = if *mode == 0 {
            "ServiceDefault"
        } else {
            "RequestHeader"
        };
        assert_eq!(sse["rule"], rule);
    }
    let mut files = Vec::new();
    files_under(&s.data_dir(), &mut files);
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for (name, _, marker) in &markers {
            assert!(
                !found(&bytes, marker),
                "plaintext of {name} in {}",
                f.display()
            );
        }
        for (i, secret) in secrets.iter().enumerate() {
            assert!(!found(&bytes, secret), "secret {i} in {}", f.display());
        }
    }
}
/// Objects written before encryption at rest (no SSE record, plaintext format-1 blobs or inline
/// bytes) still read back, reported without encryption headers.
#[tokio::test]
async fn objects_from_before_encryption_still_read() {
    // Rewrites the SQLite file and blob files of a data dir, which PostgreSQL servers have not.
    if trailstack_store::testing::on_postgres() {
        return;
    }
    let (s, c) = Server::start_with_bucket("legacy").await;
    let big = data(200_000, 16);
    let small = data(500, 17);
    put(&c, "legacy", "big", &big).await;
    put(&c, "legacy", "small", &small).await;
    let dir = s.stop();
    // Rewrite both objects as the pre-encryption code stored them.
    let data_dir = dir.path().join("data");
    let db = trailstack_store::rusqlite::Connection::open(data_dir.join("meta.sqlite")).unwrap();
    for (key, bytes) in [("big", &big), ("small", &small)] {
        let meta: String = db
            .query_row(
                "SELECT meta FROM s3_objects WHERE bucket = 'legacy' AND key = ?1",
                [key.as_bytes()],
                |r| r.get(0),
            )
            .unwrap();
        let mut meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
        meta.as_object_mut().unwrap().remove("sse");
        let inline: Option<Vec<u8>> = match meta["segments"][0]["blob"].as_str() {
            Some(id) => {
                let mut file = b"TSB\0\x01\x00\x00\x00".to_vec();
                file.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                file.extend_from_slice(bytes);
                std::fs::write(data_dir.join("blobs").join(&id[..2]).join(id), file).unwrap();
                None
            }
            None => Some(bytes.clone()),
        };
        db.execute(
            "UPDATE s3_objects SET meta = ?1, inline_data = ?2 WHERE bucket = 'legacy' AND key = ?3",
            (meta.to_string(), inline, key.as_bytes()),
        )
        .unwrap();
    }
    drop(db);
    let s = Server::start_in(dir).await;
    let c = s.s3();
    assert_eq!(read_back(&c, "legacy", "big", &big).await, (None, None));
    assert_eq!(read_back(&c, "legacy", "small", &small).await, (None, None));
    let got = ok!(get_req(&c, "legacy", "big").range("bytes=65530-70000"));
    assert_eq!(body_bytes(got).await, &big[65530..=70000]);
}

/// DSSE-KMS: two layers under two KMS data keys; reads, ranges across both layers' chunks,
/// multipart and copies work, and neither layer alone holds the plaintext.
#[tokio::test]
async fn dsse_two_layers() {
    let (s, c) = Server::start_with_bucket("dsse").await;
    let k = new_key(&s).await;
    let small = data(900, 18);
    let big = data(400_000, 19);
    for (name, body) in [("small", &small), ("big", &big)] {
        let out = ok!(put_req(&c, "dsse", name, body)
            .server_side_encryption(Sse::AwsKmsDsse)
            .ssekms_key_id(&k));
        assert_eq!(out.server_side_encryption(), Some(&Sse::AwsKmsDsse));
        assert_eq!(out.ssekms_key_id(), Some(k.as_str()));
        assert_eq!(
            read_back(&c, "dsse", name, body).await,
            (Some("aws:kms:dsse".into()), Some(k.clone()))
        );
        let sse = stored_sse(&s, "dsse", name);
        assert!(sse["inner_wrapped_key"].is_string());
        assert_ne!(sse["inner_wrapped_key"], sse["wrapped_key"]);
    }
    // Opening the outer layer alone (its KMS data key, the blob file) gives no plaintext.
    let sse = stored_sse(&s, "dsse", "big");
    let wrapped = base64::engine::general_purpose::STANDARD
        .decode(sse["wrapped_key"].as_str().unwrap())
        .unwrap();
    let outer_key = ok!(s
        .kms()
        .decrypt()
        .ciphertext_blob(aws_smithy_types::Blob::new(wrapped))
        .encryption_context("aws:s3:arn", "arn:aws:s3:::dsse/big"));
    let outer_key =
        trailstack_store::DataKey::from_bytes(outer_key.plaintext().unwrap().as_ref()).unwrap();
    let meta = crate::s3_sse::stored_meta(&s, "dsse", "big");
    let blob =
        trailstack_store::BlobId::parse(meta["segments"][0]["blob"].as_str().unwrap()).unwrap();
    // Nothing is in flight: opening (and collecting garbage) beside the server is safe here.
    let store = match trailstack_store::testing::on_postgres() {
        true => trailstack_store::BlobStore::in_database(s.app.db.clone()),
        false => trailstack_store::BlobStore::open(&s.data_dir(), s.app.db.clone()).unwrap(),
    };
    let stored_len = trailstack_s3::sse::layer::sealed_len(big.len() as u64);
    let aad = trailstack_s3::sse::object_aad("dsse", "big");
    let mut outer = store
        .read_range_decrypted(&blob, &outer_key, &aad, 0, stored_len)
        .await
        .unwrap();
    let mut inner_ciphertext = Vec::new();
    while let Some(b) = futures_util::StreamExt::next(&mut outer).await {
        inner_ciphertext.extend_from_slice(&b.unwrap());
    }
    assert_eq!(inner_ciphertext.len() as u64, stored_len);
    for at in [0, 1000, 70_000, 399_000] {
        let window = &big[at..at + 64];
        assert!(
            !inner_ciphertext.windows(64).any(|w| w == window),
            "plaintext at {at}"
        );
    }
    for (a, b) in [
        (0usize, 0usize),
        (65_530, 65_560),
        (131_000, 399_999),
        (65_536, 65_536),
    ] {
        let got = ok!(get_req(&c, "dsse", "big").range(format!("bytes={a}-{b}")));
        assert_eq!(body_bytes(got).await, &big[a..=b], "bytes={a}-{b}");
    }
    // Copy DSSE -> SSE-S3 and back.
    ok!(copy_req(&c, "dsse", "copy", "dsse/big").server_side_encryption(Sse::Aes256));
    assert_eq!(
        read_back(&c, "dsse", "copy", &big).await.0.as_deref(),
        Some("AES256")
    );
    // Multipart under DSSE.
    let created = ok!(create_upload_req(&c, "dsse", "mp").server_side_encryption(Sse::AwsKmsDsse));
    let id = created.upload_id().unwrap();
    let parts = [data(5 * 1024 * 1024, 20), data(70_000, 21)];
    let done = send_parts(&c, "dsse", "mp", id, &parts).await;
    complete_upload(&c, "dsse", "mp", id, &done).await;
    let whole = parts.concat();
    assert_eq!(
        read_back(&c, "dsse", "mp", &whole).await.0.as_deref(),
        Some("aws:kms:dsse")
    );
    let got = get_req(&c, "dsse", "mp")
        .range(format!(
            "bytes={}-{}",
            5 * 1024 * 1024 - 10,
            5 * 1024 * 1024 + 70_000
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, &whole[5 * 1024 * 1024 - 10..]);
}
