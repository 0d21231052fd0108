//! Pre-tokenized `.gtok` files: the bytes `GTOK`, a flag byte (`0x01`: u16 ids, `0x02`: u32 ids),
//! then the ids little-endian.

use std::io::Write;
use std::path::Path;

use crate::error::{GenimlError, Result};
use crate::io::atomic_write;

const MAGIC: &[u8; 4] = b"GTOK";
const FLAG_U16: u8 = 0x01;
const FLAG_U32: u8 = 0x02;

/// Id width of a `.gtok` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// 16-bit ids (vocabularies up to 65,536).
    U16,
    /// 32-bit ids.
    U32,
}

/// Write `ids` to `path` (atomically; refuses to replace an existing file unless `force`).
/// `width = None` picks u16 when every id fits.
pub fn write_gtok(path: &Path, ids: &[i64], width: Option<Width>, force: bool) -> Result<()> {
    let max = ids.iter().copied().max().unwrap_or(0);
    if let Some(&neg) = ids.iter().find(|&&x| x < 0) {
        return Err(GenimlError::InvalidInput(format!(
            "{}: token id {neg} is negative",
            path.display()
        )));
    }
    let width = match width {
        Some(w) => w,
        None if max <= i64::from(u16::MAX) => Width::U16,
        None => Width::U32,
    };
    if width == Width::U16 && max > i64::from(u16::MAX) {
        return Err(GenimlError::InvalidInput(format!(
            "{}: token id {max} does not fit in a u16 .gtok file (max 65535); write u32 ids instead",
            path.display()
        )));
    }
    if max > i64::from(u32::MAX) {
        return Err(GenimlError::InvalidInput(format!(
            "{}: token id {max} does not fit in 32 bits",
            path.display()
        )));
    }
    atomic_write(path, force, |w| {
        w.write_all(MAGIC)?;
        match width {
            Width::U16 => {
                w.write_all(&[FLAG_U16])?;
                for &x in ids {
                    w.write_all(&(x as u16).to_le_bytes())?;
                }
            }
            Width::U32 => {
                w.write_all(&[FLAG_U32])?;
                for &x in ids {
                    w.write_all(&(x as u32).to_le_bytes())?;
                }
            }
        }
        Ok(())
    })
}

/// Read the ids of a `.gtok` file.
pub fn read_gtok(path: &Path) -> Result<Vec<i64>> {
    let data = std::fs::read(path).map_err(|e| GenimlError::io(path, e))?;
    let err = |msg: String| GenimlError::BedParse {
        path: path.to_path_buf(),
        line: 0,
        msg,
    };
    if data.len() < 5 || &data[..4] != MAGIC {
        return Err(err(
            "not a .gtok file: expected the bytes GTOK and a flag byte".into(),
        ));
    }
    let body = &data[5..];
    match data[4] {
        FLAG_U16 if body.len() % 2 == 0 => Ok(body
            .chunks_exact(2)
            .map(|c| i64::from(u16::from_le_bytes([c[0], c[1]])))
            .collect()),
        FLAG_U32 if body.len() % 4 == 0 => Ok(body
            .chunks_exact(4)
            .map(|c| i64::from(u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect()),
        FLAG_U16 | FLAG_U32 => Err(err(format!(
            "truncated .gtok file: {} body bytes is not a whole number of ids",
            body.len()
        ))),
        f => Err(err(format!(
            "unknown .gtok flag byte {f:#04x}: expected 0x01 (u16) or 0x02 (u32)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_width_checks() {
        let dir = std::env::temp_dir().join(format!("gtok-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("a.gtok");
        write_gtok(&p, &[0, 5, 65535], None, true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap()[4], FLAG_U16);
        assert_eq!(read_gtok(&p).unwrap(), vec![0, 5, 65535]);
        write_gtok(&p, &[70000, 1], None, true).unwrap();
        assert_eq!(read_gtok(&p).unwrap(), vec![70000, 1]);
        assert!(write_gtok(&p, &[70000], Some(Width::U16), true).is_err());
        assert!(write_gtok(&p, &[1], None, false).is_err());
        std::fs::write(&p, b"GTOK\x01\x00").unwrap();
        assert!(read_gtok(&p).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
