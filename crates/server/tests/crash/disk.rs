//! The data dir against its metadata: every blob file is referenced by an object version or a
//! multipart part, or is listed as loose by a write of the running server (made after it
//! started); every referenced blob file exists. Read from the files and `meta.sqlite` directly,
//! beside the running server (SQLite in WAL mode lets a second reader in).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::SystemTime;
use trailstack_store::rusqlite::Connection;

/// Blob files under `data/blobs`, with their modification times.
pub fn blob_files(data: &Path) -> BTreeMap<String, SystemTime> {
    let mut out = BTreeMap::new();
    let Ok(dirs) = std::fs::read_dir(data.join("blobs")) else {
        return out;
    };
    for dir in dirs.flatten() {
        for f in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if let Ok(m) = f.metadata() {
                let name = f.file_name().to_string_lossy().into_owned();
                out.insert(name, m.modified().unwrap_or(SystemTime::UNIX_EPOCH));
            }
        }
    }
    out
}

/// The blob ids the committed metadata references, and those listed as loose.
pub fn referenced(data: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let c = Connection::open(data.join("meta.sqlite")).unwrap();
    let mut refs = BTreeSet::new();
    let metas = |sql: &str| -> Vec<serde_json::Value> {
        let mut stmt = c.prepare(sql).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        rows.map(|m| serde_json::from_str(&m.unwrap()).unwrap())
            .collect()
    };
    for meta in metas("SELECT meta FROM s3_objects") {
        for seg in meta["segments"].as_array().into_iter().flatten() {
            refs.insert(seg["blob"].as_str().unwrap().to_string());
        }
    }
    for meta in metas("SELECT meta FROM s3_parts") {
        refs.insert(meta["blob"].as_str().unwrap().to_string());
    }
    let mut stmt = c.prepare("SELECT id FROM store_loose_blobs").unwrap();
    let loose = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    (refs, loose)
}

fn exists(data: &Path, id: &str) -> bool {
    id.len() > 2 && data.join("blobs").join(&id[..2]).join(id).exists()
}

/// Checks the data dir of a server started at `started` (before its process was spawned):
/// no orphan blob file survived its start, and no reference dangles. Files that come or go
/// while this runs (the server delivers in the background) are looked at again before being
/// reported. Returns how many blob files there are.
pub fn check(data: &Path, started: SystemTime) -> Result<usize, String> {
    let files = blob_files(data);
    let (refs, loose) = referenced(data);
    let orphans: Vec<&String> = files
        .iter()
        .filter(|(id, modified)| {
            !refs.contains(*id)
                // Listed as loose: a write in flight, unless the file predates this server, whose
                // start should have collected it.
                && (!loose.contains(*id) || **modified < started)
                && exists(data, id)
        })
        .map(|(id, _)| id)
        .collect();
    let missing: Vec<&String> = refs
        .iter()
        .filter(|id| !files.contains_key(*id) && !exists(data, id))
        .collect();
    // A reference released and its file deleted between the two reads is not dangling.
    let dangling: Vec<&String> = if missing.is_empty() {
        Vec::new()
    } else {
        let (now, _) = referenced(data);
        missing.into_iter().filter(|id| now.contains(*id)).collect()
    };
    if orphans.is_empty() && dangling.is_empty() {
        Ok(files.len())
    } else {
        Err(format!(
            "{} blob files: orphans (neither referenced nor in flight) {orphans:?}; \
             referenced but missing {dangling:?}",
            files.len()
        ))
    }
}
