//! Object data in PostgreSQL two ways, measured side by side (issue 23; ARCHITECTURE.md §3 says
//! which the store uses and why): `BYTEA` rows of one chunk each, as the store writes them
//! (`store_blob_segments`), against a large object written with `lo_put` and read with
//! `lo_get`. The same incompressible bytes, the same chunk size, one transaction per object,
//! reads of the same span per query; the ways alternate round by round and each figure is the
//! median. Talks to PostgreSQL only, never to a trailstack server.

use std::time::Instant;
use tokio_postgres::{Client, NoTls};

/// What `trailstack-bench pg-blob` is given.
#[derive(clap::Args)]
pub struct Args {
    /// The database (`postgres://…`); two tables named `bench_blob_*` are made and dropped.
    #[arg(long)]
    pub database: String,
    /// Size of each object, in MiB.
    #[arg(long, default_value_t = 256)]
    pub size_mib: usize,
    /// Chunk size in KiB: one row, or one `lo_put`, per chunk (the store's chunk is 64 KiB).
    #[arg(long, default_value_t = 64)]
    pub chunk_kib: usize,
    /// Chunks read per query (the store reads a range's segments in one query).
    #[arg(long, default_value_t = 16)]
    pub read_chunks: usize,
    /// Rounds per way.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
}

/// One way of keeping an object's bytes.
#[derive(Clone, Copy)]
enum Way {
    /// One row per chunk in `table`; `external`: the column never tries to compress.
    Rows {
        table: &'static str,
        external: bool,
    },
    LargeObject,
}

const WAYS: [Way; 3] = [
    Way::Rows {
        table: "bench_blob_rows",
        external: false,
    },
    Way::Rows {
        table: "bench_blob_rows_external",
        external: true,
    },
    Way::LargeObject,
];

impl Way {
    fn name(self) -> &'static str {
        match self {
            Way::Rows {
                external: false, ..
            } => "BYTEA rows (the store's)",
            Way::Rows { external: true, .. } => "BYTEA rows, STORAGE EXTERNAL",
            Way::LargeObject => "large object",
        }
    }

    /// The relation whose growth is the object's size on disk.
    fn relation(self) -> &'static str {
        match self {
            Way::Rows { table, .. } => table,
            Way::LargeObject => "pg_largeobject",
        }
    }
}

/// Seconds to write and to read back one object, and the bytes it took on disk.
struct Round {
    write_s: f64,
    read_s: f64,
    disk: i64,
}

/// Bytes no compressor shrinks (sealed chunks are ciphertext), cheap to make.
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn sql(e: tokio_postgres::Error) -> String {
    e.to_string()
}

/// The bytes PostgreSQL's files for `rel` take (table, TOAST and indexes).
async fn relation_size(db: &Client, rel: &str) -> Result<i64, String> {
    let row = db
        .query_one(
            "SELECT pg_total_relation_size(CAST(CAST($1 AS TEXT) AS REGCLASS))",
            &[&rel],
        )
        .await
        .map_err(sql)?;
    Ok(row.get(0))
}

async fn round(db: &mut Client, way: Way, data: &[u8], a: &Args) -> Result<Round, String> {
    let chunk = a.chunk_kib * 1024;
    let span = chunk * a.read_chunks;
    let before = relation_size(db, way.relation()).await?;
    let started = Instant::now();
    let tx = db.transaction().await.map_err(sql)?;
    let oid: u32 = match way {
        Way::Rows { table, .. } => {
            let insert = tx
                .prepare(&format!(
                    "INSERT INTO {table} (blob_id, seq, bytes) VALUES ($1, $2, $3)"
                ))
                .await
                .map_err(sql)?;
            for (seq, part) in data.chunks(chunk).enumerate() {
                tx.execute(&insert, &[&"blob", &(seq as i64), &part])
                    .await
                    .map_err(sql)?;
            }
            0
        }
        Way::LargeObject => {
            let oid = tx
                .query_one("SELECT lo_create(0)", &[])
                .await
                .map_err(sql)?
                .get(0);
            let put = tx.prepare("SELECT lo_put($1, $2, $3)").await.map_err(sql)?;
            for (i, part) in data.chunks(chunk).enumerate() {
                tx.execute(&put, &[&oid, &((i * chunk) as i64), &part])
                    .await
                    .map_err(sql)?;
            }
            oid
        }
    };
    tx.commit().await.map_err(sql)?;
    let write_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut read = 0usize;
    match way {
        Way::Rows { table, .. } => {
            let q = db
                .prepare(&format!(
                    "SELECT bytes FROM {table} \
                     WHERE blob_id = $1 AND seq >= $2 AND seq < $3 ORDER BY seq"
                ))
                .await
                .map_err(sql)?;
            let chunks = data.len().div_ceil(chunk) as i64;
            let mut first = 0i64;
            while first < chunks {
                let rows = db
                    .query(&q, &[&"blob", &first, &(first + a.read_chunks as i64)])
                    .await
                    .map_err(sql)?;
                for r in rows {
                    read += r.get::<_, &[u8]>(0).len();
                }
                first += a.read_chunks as i64;
            }
        }
        Way::LargeObject => {
            let q = db.prepare("SELECT lo_get($1, $2, $3)").await.map_err(sql)?;
            while read < data.len() {
                let r = db
                    .query_one(&q, &[&oid, &(read as i64), &(span as i32)])
                    .await
                    .map_err(sql)?;
                read += r.get::<_, &[u8]>(0).len();
            }
        }
    }
    let read_s = started.elapsed().as_secs_f64();
    if read != data.len() {
        return Err(format!(
            "{}: read {read} of {} bytes",
            way.name(),
            data.len()
        ));
    }

    let disk = relation_size(db, way.relation()).await? - before;
    match way {
        Way::Rows { table, .. } => db.execute(&format!("TRUNCATE {table}"), &[]).await,
        Way::LargeObject => db.execute("SELECT lo_unlink($1)", &[&oid]).await,
    }
    .map_err(sql)?;
    Ok(Round {
        write_s,
        read_s,
        disk,
    })
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Runs the comparison and prints its table.
pub async fn run(a: Args) -> Result<(), String> {
    let (mut db, conn) = tokio_postgres::connect(&a.database, NoTls)
        .await
        .map_err(sql)?;
    tokio::spawn(conn);
    // The store's table as its migration makes it on PostgreSQL (crates/store/src/blob/journal.rs).
    let tables = WAYS.iter().filter_map(|way| match *way {
        Way::Rows { table, external } => Some((table, external)),
        Way::LargeObject => None,
    });
    for (table, external) in tables.clone() {
        let storage = if external {
            format!("; ALTER TABLE {table} ALTER COLUMN bytes SET STORAGE EXTERNAL")
        } else {
            String::new()
        };
        db.batch_execute(&format!(
            "DROP TABLE IF EXISTS {table}; \
             CREATE TABLE {table} (blob_id TEXT COLLATE \"C\" NOT NULL, seq BIGINT NOT NULL, \
             bytes BYTEA NOT NULL, PRIMARY KEY (blob_id, seq)){storage}"
        ))
        .await
        .map_err(sql)?;
    }
    let data = noise(a.size_mib << 20, 0x9e37_79b9_7f4a_7c15);
    let mut results: Vec<Vec<Round>> = WAYS.iter().map(|_| Vec::new()).collect();
    for r in 0..a.rounds {
        for i in 0..WAYS.len() {
            let i = if r % 2 == 0 { i } else { WAYS.len() - 1 - i };
            results[i].push(round(&mut db, WAYS[i], &data, &a).await?);
        }
    }
    for (table, _) in tables {
        db.batch_execute(&format!("DROP TABLE {table}"))
            .await
            .map_err(sql)?;
    }

    let mib = a.size_mib as f64;
    println!(
        "{} MiB objects, {} KiB chunks, reads of {} chunks per query, {} rounds (medians)\n",
        a.size_mib, a.chunk_kib, a.read_chunks, a.rounds
    );
    println!("| way | write MiB/s | read MiB/s | disk per object (MiB) | runs write/read s |");
    println!("|---|--:|--:|--:|---|");
    for (way, rounds) in WAYS.iter().zip(&results) {
        let runs: Vec<String> = rounds
            .iter()
            .map(|r| format!("{:.2}/{:.2}", r.write_s, r.read_s))
            .collect();
        println!(
            "| {} | {:.0} | {:.0} | {:.1} | {} |",
            way.name(),
            mib / median(rounds.iter().map(|r| r.write_s).collect()),
            mib / median(rounds.iter().map(|r| r.read_s).collect()),
            median(rounds.iter().map(|r| r.disk as f64).collect()) / (1 << 20) as f64,
            runs.join(", ")
        );
    }
    Ok(())
}
