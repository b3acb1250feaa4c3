//! Just enough ELF to tell whether an executable is static: a dynamically linked one
//! names its loader in a `PT_INTERP` program header, a static one (including a
//! static-pie) has none, so the kernel starts it without `ld.so` and it runs in an
//! image that holds nothing else.

use crate::error::{DeployError, io_error};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Program header type of the loader path.
const PT_INTERP: u32 = 3;
/// More program headers than this is not a real executable (Linux caps at 64 KiB of them).
const MAX_PROGRAM_HEADERS: u64 = 4096;

/// Whether the ELF executable at `path` has no `PT_INTERP` program header (needs no
/// dynamic loader). Errors name the file when it is not ELF or is truncated.
pub fn is_static_executable(path: &Path) -> Result<bool, DeployError> {
    let context = path.display().to_string();
    let mut file = File::open(path).map_err(io_error(&context, "cannot open", path))?;
    let mut header = [0u8; 64];
    let read =
        read_up_to(&mut file, &mut header).map_err(io_error(&context, "cannot read", path))?;
    let layout = parse_header(&header[..read]).map_err(|problem| DeployError::NotElf {
        path: path.to_path_buf(),
        problem,
    })?;
    let table_len = layout.count * layout.entry_size;
    let mut table = vec![0u8; usize::try_from(table_len).unwrap_or(usize::MAX)];
    let complete = file
        .seek(SeekFrom::Start(layout.offset))
        .and_then(|_| read_up_to(&mut file, &mut table))
        .map_err(io_error(&context, "cannot read", path))?;
    if (complete as u64) < table_len {
        return Err(DeployError::NotElf {
            path: path.to_path_buf(),
            problem: "the program header table runs past the end of the file".to_string(),
        });
    }
    Ok(!has_interpreter(&layout, &table))
}

/// Where the program header table is and how to read it.
#[derive(Debug, PartialEq, Eq)]
struct ProgramHeaders {
    offset: u64,
    entry_size: u64,
    count: u64,
    little_endian: bool,
}

fn parse_header(header: &[u8]) -> Result<ProgramHeaders, String> {
    if !header.starts_with(b"\x7fELF") {
        return Err("no ELF magic number".to_string());
    }
    if header.len() < 16 {
        return Err("the ELF header is truncated".to_string());
    }
    let is_64 = match header[4] {
        1 => false,
        2 => true,
        other => return Err(format!("unknown ELF class {other}")),
    };
    let little_endian = match header[5] {
        1 => true,
        2 => false,
        other => return Err(format!("unknown ELF data encoding {other}")),
    };
    let need = if is_64 { 64 } else { 52 };
    if header.len() < need {
        return Err("the ELF header is truncated".to_string());
    }
    let u16_at = |at: usize| {
        let b = [header[at], header[at + 1]];
        u64::from(if little_endian {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |at: usize| {
        let b = [header[at], header[at + 1], header[at + 2], header[at + 3]];
        u64::from(if little_endian {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let u64_at = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&header[at..at + 8]);
        if little_endian {
            u64::from_le_bytes(b)
        } else {
            u64::from_be_bytes(b)
        }
    };
    let (offset, entry_size, count) = if is_64 {
        (u64_at(0x20), u16_at(0x36), u16_at(0x38))
    } else {
        (u32_at(0x1C), u16_at(0x2A), u16_at(0x2C))
    };
    if count > 0 && entry_size < 4 {
        return Err(format!("program header entries of {entry_size} bytes"));
    }
    if count > MAX_PROGRAM_HEADERS {
        return Err(format!("{count} program headers"));
    }
    Ok(ProgramHeaders {
        offset,
        entry_size,
        count,
        little_endian,
    })
}

fn has_interpreter(layout: &ProgramHeaders, table: &[u8]) -> bool {
    let entry_size = usize::try_from(layout.entry_size).unwrap_or(usize::MAX);
    table.chunks_exact(entry_size.max(4)).any(|entry| {
        let b = [entry[0], entry[1], entry[2], entry[3]];
        let p_type = if layout.little_endian {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        };
        p_type == PT_INTERP
    })
}

/// Reads until `buf` is full or the file ends; returns the bytes read.
fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal 64-bit little-endian ELF with the given program header types.
    fn elf64(types: &[u32]) -> Vec<u8> {
        let mut bytes = vec![0u8; 64];
        bytes[..4].copy_from_slice(b"\x7fELF");
        bytes[4] = 2;
        bytes[5] = 1;
        bytes[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        bytes[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        let count = u16::try_from(types.len()).unwrap();
        bytes[0x38..0x3A].copy_from_slice(&count.to_le_bytes());
        for t in types {
            let mut entry = vec![0u8; 56];
            entry[..4].copy_from_slice(&t.to_le_bytes());
            bytes.extend(entry);
        }
        bytes
    }

    fn check(bytes: &[u8]) -> Result<bool, DeployError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bin");
        std::fs::write(&path, bytes).unwrap();
        is_static_executable(&path)
    }

    #[test]
    fn interp_header_means_dynamic() {
        // PT_PHDR, PT_INTERP, PT_LOAD: the shape of a dynamically linked executable.
        assert!(!check(&elf64(&[6, 3, 1])).unwrap());
        // PT_LOAD, PT_DYNAMIC without PT_INTERP: a static-pie.
        assert!(check(&elf64(&[1, 2])).unwrap());
        assert!(check(&elf64(&[])).unwrap());
    }

    #[test]
    fn big_endian_32_bit_headers_are_read() {
        let mut bytes = vec![0u8; 52];
        bytes[..4].copy_from_slice(b"\x7fELF");
        bytes[4] = 1;
        bytes[5] = 2;
        bytes[0x1C..0x20].copy_from_slice(&52u32.to_be_bytes());
        bytes[0x2A..0x2C].copy_from_slice(&32u16.to_be_bytes());
        bytes[0x2C..0x2E].copy_from_slice(&1u16.to_be_bytes());
        let mut entry = vec![0u8; 32];
        entry[..4].copy_from_slice(&PT_INTERP.to_be_bytes());
        bytes.extend(entry);
        assert!(!check(&bytes).unwrap());
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for (bytes, problem) in [
            (b"#!/bin/sh\necho hi\n".to_vec(), "no ELF magic"),
            (b"\x7fELF\x02\x01".to_vec(), "truncated"),
            (Vec::new(), "no ELF magic"),
            (elf64(&[])[..40].to_vec(), "truncated"),
            (elf64(&[3])[..100].to_vec(), "past the end"),
        ] {
            let err = check(&bytes).unwrap_err().to_string();
            assert!(err.contains(problem), "{err}");
        }
        let mut odd = elf64(&[1]);
        odd[4] = 9;
        assert!(check(&odd).unwrap_err().to_string().contains("class 9"));
    }
}
