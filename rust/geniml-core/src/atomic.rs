//! Atomic outputs: every file geniml writes goes to a temporary sibling and is renamed into
//! place, and a set of files that belong together (the three coverage tracks) is staged in full
//! and committed under a manifest that readers check.
//!
//! ```
//! use geniml_core::atomic::write_file;
//! let dir = std::env::temp_dir().join(format!("geniml-atomic-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let out = dir.join("a.txt");
//! write_file(&out, true, |tmp| std::fs::write(tmp, b"hello")).unwrap();
//! assert_eq!(std::fs::read(&out).unwrap(), b"hello");
//! assert!(write_file(&out, false, |tmp| std::fs::write(tmp, b"x")).is_err()); // no clobbering
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{GenimlError, Result};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh hidden name next to `path` (same folder, so the final rename is atomic).
#[must_use]
pub fn tmp_sibling(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "out".to_string(), |n| n.to_string_lossy().into_owned());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// `Err(AlreadyExists)` naming `path` when it exists and `force` is false.
pub fn refuse_existing(path: &Path, force: bool) -> Result<()> {
    if !force && path.exists() {
        return Err(GenimlError::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "output exists; pass force=True (--force) to replace it",
            ),
        ));
    }
    Ok(())
}

/// Create `path` by letting `fill` write a temporary sibling, then renaming it into place.
/// Refuses to replace an existing `path` unless `force`. On any error the temporary file is
/// removed and `path` is untouched.
pub fn write_file<F>(path: &Path, force: bool, fill: F) -> Result<()>
where
    F: FnOnce(&Path) -> std::io::Result<()>,
{
    refuse_existing(path, force)?;
    let tmp = tmp_sibling(path);
    let result = fill(&tmp).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(GenimlError::io(path, e));
    }
    Ok(())
}

/// [`write_file`] for content produced through a buffered writer (flushed and synced).
pub fn atomic_write<F>(path: &Path, force: bool, fill: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
{
    write_file(path, force, |tmp| {
        let file = File::create(tmp)?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        fill(&mut w)?;
        w.flush()?;
        let file = w
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        file.sync_all()
    })
}

/// FNV-1a 64 of a file's bytes (cheap, dependency-free content check for manifests).
fn file_digest(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::io::Read;
    let mut f = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let (mut hash, mut size) = (0xcbf2_9ce4_8422_2325_u64, 0u64);
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok((size, hash));
        }
        size += n as u64;
        for &b in &buf[..n] {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

const MANIFEST_MAGIC: &str = "geniml-file-set\t1";

/// Write a set of files that must be read together, all or nothing.
///
/// `files` are final paths in `dir`; `write(i, tmp)` writes the `i`-th into a staging folder.
/// Nothing in `dir` changes until every file is staged, so a failure (or a kill) while writing
/// leaves the previous set intact. Then the manifest `manifest` is marked `incomplete`, the files
/// are renamed into place, and the manifest is rewritten with each file's size and digest.
/// [`check_file_set`] refuses a set whose manifest is incomplete or does not match the files.
pub fn write_file_set<F>(
    dir: &Path,
    files: &[PathBuf],
    manifest: &Path,
    force: bool,
    write: F,
) -> Result<()>
where
    F: Fn(usize, &Path) -> Result<()> + Sync,
{
    use rayon::prelude::*;
    std::fs::create_dir_all(dir).map_err(|e| GenimlError::io(dir, e))?;
    for f in files {
        refuse_existing(f, force)?;
    }
    remove_stale_stages(dir);
    let stage = tmp_sibling(&dir.join("file-set"));
    std::fs::create_dir(&stage).map_err(|e| GenimlError::io(&stage, e))?;
    let staged: Vec<PathBuf> = files
        .iter()
        .map(|f| stage.join(f.file_name().unwrap_or_default()))
        .collect();
    let result = (|| {
        staged
            .par_iter()
            .enumerate()
            .map(|(i, p)| write(i, p))
            .collect::<Result<Vec<()>>>()?;
        let digests: Vec<(u64, u64)> = staged
            .iter()
            .map(|p| file_digest(p).map_err(|e| GenimlError::io(p, e)))
            .collect::<Result<_>>()?;
        atomic_write(manifest, true, |w| {
            writeln!(w, "{MANIFEST_MAGIC}\nincomplete")
        })?;
        for (from, to) in staged.iter().zip(files) {
            std::fs::rename(from, to).map_err(|e| GenimlError::io(to, e))?;
        }
        atomic_write(manifest, true, |w| {
            writeln!(w, "{MANIFEST_MAGIC}\ncomplete")?;
            for (f, (size, hash)) in files.iter().zip(&digests) {
                let name = f.file_name().unwrap_or_default().to_string_lossy();
                writeln!(w, "{name}\t{size}\t{hash:016x}")?;
            }
            Ok(())
        })
    })();
    let _ = std::fs::remove_dir_all(&stage);
    result
}

/// Remove temporaries (staging folders, manifest files) left in `dir` by writers that were
/// killed (their process is gone).
fn remove_stale_stages(dir: &Path) {
    if !Path::new("/proc/self").exists() {
        return; // no cheap liveness check on this system: leave them
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        // every temporary `tmp_sibling` names: the staging folder and the manifest's file
        let Some(rest) = name
            .to_str()
            .filter(|n| n.starts_with('.'))
            .and_then(|n| n.rsplit_once(".tmp-"))
            .map(|(_, r)| r)
        else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let p = entry.path();
            let _ = if p.is_dir() {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
        }
    }
}

/// Check that the files listed in a [`write_file_set`] manifest are the ones it wrote.
/// A missing manifest is accepted (folders written by other tools have none).
pub fn check_file_set(manifest: &Path) -> Result<()> {
    let text = match std::fs::read_to_string(manifest) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(GenimlError::io(manifest, e)),
    };
    let bad = |msg: String| {
        GenimlError::io(
            manifest,
            std::io::Error::new(std::io::ErrorKind::InvalidData, msg),
        )
    };
    let mut lines = text.lines();
    if lines.next() != Some(MANIFEST_MAGIC) {
        return Err(bad("not a geniml file-set manifest".into()));
    }
    if lines.next() != Some("complete") {
        return Err(bad(
            "the files were being replaced when the writer stopped; they may come from two \
             different runs (write them again with force=True / --force)"
                .into(),
        ));
    }
    let dir = manifest.parent().unwrap_or_else(|| Path::new("."));
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        let [name, size, hash] = f[..] else {
            return Err(bad(format!("malformed manifest line {line:?}")));
        };
        let path = dir.join(name);
        let (got_size, got_hash) = match file_digest(&path) {
            Ok(d) => d,
            // A missing part is not a mix; the reader reports it in its own words.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(GenimlError::io(&path, e)),
        };
        if size != got_size.to_string() || hash != format!("{got_hash:016x}") {
            return Err(bad(format!(
                "{name} is not the file this manifest was written with (size {got_size}, \
                 expected {size}): the folder mixes outputs of different runs"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("geniml-atomic-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn failed_set_leaves_previous_set() {
        let d = tmpdir("set");
        let files = vec![d.join("a"), d.join("b")];
        let man = d.join("m");
        write_file_set(&d, &files, &man, false, |i, p| {
            std::fs::write(p, format!("old{i}")).map_err(|e| GenimlError::io(p, e))
        })
        .unwrap();
        check_file_set(&man).unwrap();
        let err = write_file_set(&d, &files, &man, true, |i, p| {
            if i == 1 {
                return Err(GenimlError::InvalidInput("boom".into()));
            }
            std::fs::write(p, "new").map_err(|e| GenimlError::io(p, e))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&files[0]).unwrap(), "old0");
        check_file_set(&man).unwrap();
        std::fs::write(&files[1], "other run").unwrap();
        assert!(check_file_set(&man).is_err());
        let leftovers: Vec<_> = std::fs::read_dir(&d).unwrap().collect();
        assert_eq!(leftovers.len(), 3, "no staging folder left behind");
        // A staging folder of a killed writer (a pid that cannot exist) is cleaned up.
        let stale = d.join(format!(".file-set.tmp-{}-0", u32::MAX - 1));
        std::fs::create_dir(&stale).unwrap();
        // ... and so is a killed writer's half-written manifest.
        let stale_man = d.join(format!(".m.tmp-{}-3", u32::MAX - 1));
        std::fs::write(&stale_man, "half").unwrap();
        write_file_set(&d, &files, &man, true, |_, p| {
            std::fs::write(p, "again").map_err(|e| GenimlError::io(p, e))
        })
        .unwrap();
        assert!(!stale.exists());
        assert!(!stale_man.exists());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
