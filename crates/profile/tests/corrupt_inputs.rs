#![allow(clippy::unwrap_used)]
//! Bytes that are not a usable CPU profile each fail with the error that says why.

use podium_profile::pprof::{Function, Line, Location, Profile, Sample, ValueType};
use podium_profile::{ProfileError, decode_pprof};
use prost::Message;
use std::io::Write;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Deterministic noise (xorshift), so a failure can be replayed.
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// A CPU profile shaped like Go's: samples/count and cpu/nanoseconds.
fn go_like_profile(samples: Vec<Sample>) -> Profile {
    Profile {
        sample_type: vec![
            ValueType { r#type: 1, unit: 2 },
            ValueType { r#type: 3, unit: 4 },
        ],
        sample: samples,
        location: vec![Location {
            id: 1,
            line: vec![Line {
                function_id: 1,
                line: 10,
                column: 0,
            }],
            ..Default::default()
        }],
        function: vec![Function {
            id: 1,
            name: 5,
            ..Default::default()
        }],
        string_table: ["", "samples", "count", "cpu", "nanoseconds", "main.main"]
            .map(String::from)
            .to_vec(),
        period: 10_000_000,
        ..Default::default()
    }
}

#[test]
fn empty_bytes_ask_whether_the_endpoint_was_reachable() {
    let err = decode_pprof(&[]).unwrap_err();
    assert!(matches!(err, ProfileError::Empty));
    assert!(err.to_string().contains("0 bytes"), "{err}");
}

#[test]
fn random_bytes_are_not_pprof() {
    for seed in [1, 7, 42, 1234567] {
        let mut bytes = noise(4096, seed);
        bytes[0] = 0x42; // not the gzip magic
        let err = decode_pprof(&bytes).unwrap_err();
        assert!(
            matches!(err, ProfileError::NotPprof { .. }),
            "seed {seed}: {err}"
        );
        assert!(
            err.to_string().starts_with("not a pprof profile: "),
            "{err}"
        );
    }
    let err = decode_pprof(b"<html>404 page not found</html>").unwrap_err();
    assert!(matches!(err, ProfileError::NotPprof { .. }), "{err}");
}

#[test]
fn gzip_of_garbage_is_not_pprof() {
    let err = decode_pprof(&gzip(&noise(4096, 99))).unwrap_err();
    assert!(
        matches!(&err, ProfileError::NotPprof { detail } if detail.contains("4096 decompressed bytes")),
        "{err}"
    );
    // A valid gzip of protobuf that decodes but is no profile (no string table).
    let not_a_profile = Profile {
        period: 5,
        ..Default::default()
    };
    let err = decode_pprof(&gzip(&not_a_profile.encode_to_vec())).unwrap_err();
    assert!(
        matches!(&err, ProfileError::NotPprof { detail } if detail.contains("string table")),
        "{err}"
    );
}

#[test]
fn a_truncated_gzip_stream_is_not_pprof() {
    let whole = gzip(&go_like_profile(vec![]).encode_to_vec());
    let err = decode_pprof(&whole[..whole.len() / 2]).unwrap_err();
    assert!(
        matches!(&err, ProfileError::NotPprof { detail } if detail.contains("gzip")),
        "{err}"
    );
}

#[test]
fn a_profile_without_samples_says_the_server_was_idle() {
    let err = decode_pprof(&gzip(&go_like_profile(vec![]).encode_to_vec())).unwrap_err();
    assert!(matches!(err, ProfileError::NoSamples));
    assert!(err.to_string().contains("under load"), "{err}");
}

#[test]
fn a_sample_pointing_to_a_missing_location_is_corrupt() {
    let profile = go_like_profile(vec![
        Sample {
            location_id: vec![1],
            value: vec![1, 10_000_000],
            label: vec![],
        },
        Sample {
            location_id: vec![1, 99],
            value: vec![1, 10_000_000],
            label: vec![],
        },
    ]);
    let err = decode_pprof(&gzip(&profile.encode_to_vec())).unwrap_err();
    assert!(
        matches!(&err, ProfileError::Corrupt { detail } if detail.contains("location 99")),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("corrupt pprof profile: sample #1"),
        "{err}"
    );
}

#[test]
fn the_same_profile_decodes_and_folds_when_intact() {
    let profile = go_like_profile(vec![Sample {
        location_id: vec![1],
        value: vec![2, 20_000_000],
        label: vec![],
    }]);
    let decoded = decode_pprof(&gzip(&profile.encode_to_vec())).unwrap();
    let folded = podium_profile::FoldedStacks::from_pprof(&decoded).unwrap();
    assert_eq!(folded.to_text(), "main.main 20000000\n");
}
