//! pprof's `profile.proto`, written out by hand as prost messages (no protoc, no build
//! script), and the decoder that turns the bytes `/debug/pprof/profile` serves into a
//! checked [`Profile`].
//!
//! Field numbers follow github.com/google/pprof/proto/profile.proto. Fields this crate
//! never reads are still declared so that a decoded profile re-encodes to the same data.

use crate::error::ProfileError;
use std::collections::HashMap;
use std::io::Read;

/// A whole profile: samples, the locations and functions their stacks name, and one
/// string table every other message indexes into.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Profile {
    /// What each value of a sample measures, e.g. `[samples/count, cpu/nanoseconds]`.
    #[prost(message, repeated, tag = "1")]
    pub sample_type: Vec<ValueType>,
    /// The recorded samples.
    #[prost(message, repeated, tag = "2")]
    pub sample: Vec<Sample>,
    /// The binaries mapped into the process.
    #[prost(message, repeated, tag = "3")]
    pub mapping: Vec<Mapping>,
    /// Program locations referenced by samples.
    #[prost(message, repeated, tag = "4")]
    pub location: Vec<Location>,
    /// Functions referenced by locations.
    #[prost(message, repeated, tag = "5")]
    pub function: Vec<Function>,
    /// Every string of the profile; `string_table[0]` is always `""`.
    #[prost(string, repeated, tag = "6")]
    pub string_table: Vec<String>,
    /// Regexp (string index) of frames to drop; not applied by this crate.
    #[prost(int64, tag = "7")]
    pub drop_frames: i64,
    /// Regexp (string index) of frames to keep; not applied by this crate.
    #[prost(int64, tag = "8")]
    pub keep_frames: i64,
    /// Collection start, nanoseconds since the epoch.
    #[prost(int64, tag = "9")]
    pub time_nanos: i64,
    /// Collection length in nanoseconds.
    #[prost(int64, tag = "10")]
    pub duration_nanos: i64,
    /// The kind of events between samples, e.g. `cpu/nanoseconds`.
    #[prost(message, optional, tag = "11")]
    pub period_type: Option<ValueType>,
    /// Events between samples.
    #[prost(int64, tag = "12")]
    pub period: i64,
    /// Free-form comments (string indices).
    #[prost(int64, repeated, tag = "13")]
    pub comment: Vec<i64>,
    /// The preferred sample type (string index); when unset, the last one.
    #[prost(int64, tag = "14")]
    pub default_sample_type: i64,
    /// Documentation link for this profile (string index).
    #[prost(int64, tag = "15")]
    pub doc_url: i64,
}

/// The meaning and unit of one sample value (both string indices).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueType {
    /// E.g. `cpu`, `samples`.
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    /// E.g. `nanoseconds`, `count`.
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

/// One stack with its measured values.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Sample {
    /// Location ids, leaf first.
    #[prost(uint64, repeated, packed = "true", tag = "1")]
    pub location_id: Vec<u64>,
    /// One value per `Profile::sample_type`.
    #[prost(int64, repeated, tag = "2")]
    pub value: Vec<i64>,
    /// Extra context such as pprof labels.
    #[prost(message, repeated, tag = "3")]
    pub label: Vec<Label>,
}

/// A key with a string or numeric value attached to a sample.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Label {
    /// Key (string index).
    #[prost(int64, tag = "1")]
    pub key: i64,
    /// String value (string index).
    #[prost(int64, tag = "2")]
    pub str: i64,
    /// Numeric value.
    #[prost(int64, tag = "3")]
    pub num: i64,
    /// Unit of `num` (string index).
    #[prost(int64, tag = "4")]
    pub num_unit: i64,
}

/// A binary or library mapped into the profiled process.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Mapping {
    /// Unique non-zero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Load address.
    #[prost(uint64, tag = "2")]
    pub memory_start: u64,
    /// End of the mapped range.
    #[prost(uint64, tag = "3")]
    pub memory_limit: u64,
    /// Offset in the file of `memory_start`.
    #[prost(uint64, tag = "4")]
    pub file_offset: u64,
    /// The file it was loaded from (string index).
    #[prost(int64, tag = "5")]
    pub filename: i64,
    /// Build id (string index).
    #[prost(int64, tag = "6")]
    pub build_id: i64,
    /// Symbolisation state.
    #[prost(bool, tag = "7")]
    pub has_functions: bool,
    /// Symbolisation state.
    #[prost(bool, tag = "8")]
    pub has_filenames: bool,
    /// Symbolisation state.
    #[prost(bool, tag = "9")]
    pub has_line_numbers: bool,
    /// Symbolisation state.
    #[prost(bool, tag = "10")]
    pub has_inline_frames: bool,
}

/// A program counter, with the function(s) it belongs to.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Location {
    /// Unique non-zero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// The mapping it lies in, 0 when unknown.
    #[prost(uint64, tag = "2")]
    pub mapping_id: u64,
    /// The instruction address.
    #[prost(uint64, tag = "3")]
    pub address: u64,
    /// Innermost first: the last line is the real function, the ones before it were
    /// inlined into it.
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<Line>,
    /// Several symbols share this address (identical code folding).
    #[prost(bool, tag = "5")]
    pub is_folded: bool,
}

/// A source position inside a function.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Line {
    /// The function's id.
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    /// Source line.
    #[prost(int64, tag = "2")]
    pub line: i64,
    /// Source column.
    #[prost(int64, tag = "3")]
    pub column: i64,
}

/// A function's names and source file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Function {
    /// Unique non-zero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Human-readable name (string index).
    #[prost(int64, tag = "2")]
    pub name: i64,
    /// Name as the system knows it, e.g. mangled (string index).
    #[prost(int64, tag = "3")]
    pub system_name: i64,
    /// Source file (string index).
    #[prost(int64, tag = "4")]
    pub filename: i64,
    /// First line of the function.
    #[prost(int64, tag = "5")]
    pub start_line: i64,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A decompressed profile larger than this is refused rather than read into memory: a
/// CPU profile of a benchmark run is a few hundred KiB, so this only stops a gzip bomb.
const MAX_DECOMPRESSED_BYTES: u64 = 512 * 1024 * 1024;

/// Decodes what `/debug/pprof/profile` serves: gzip-compressed `profile.proto` (raw
/// protobuf is accepted too), then checks that every reference inside resolves and
/// that there is something to draw.
pub fn decode_pprof(bytes: &[u8]) -> Result<Profile, ProfileError> {
    if bytes.is_empty() {
        return Err(ProfileError::Empty);
    }
    let gzipped = bytes.starts_with(&GZIP_MAGIC);
    let decompressed;
    let proto = if gzipped {
        decompressed = gunzip(bytes)?;
        decompressed.as_slice()
    } else {
        bytes
    };
    let profile = <Profile as prost::Message>::decode(proto).map_err(|e| {
        let detail = if gzipped {
            format!(
                "it is gzip, but the {} decompressed bytes are not a profile.proto message ({e})",
                proto.len()
            )
        } else {
            format!(
                "the {} bytes are neither gzip nor a protobuf message ({e})",
                bytes.len()
            )
        };
        ProfileError::NotPprof { detail }
    })?;
    // Many byte strings happen to parse as *some* protobuf message; a real profile
    // always has the string table with "" first and at least one sample type.
    if profile.string_table.first().map(String::as_str) != Some("") {
        return Err(ProfileError::NotPprof {
            detail: "it decodes as protobuf but has no pprof string table (string_table[0] must be \"\")".into(),
        });
    }
    if profile.sample_type.is_empty() {
        return Err(ProfileError::NotPprof {
            detail: "it decodes as protobuf but declares no sample types".into(),
        });
    }
    validate(&profile)?;
    if profile.sample.is_empty() {
        return Err(ProfileError::NoSamples);
    }
    Ok(profile)
}

fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, ProfileError> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_DECOMPRESSED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| ProfileError::NotPprof {
            detail: format!("it starts like gzip but does not decompress ({e})"),
        })?;
    if out.len() as u64 > MAX_DECOMPRESSED_BYTES {
        return Err(ProfileError::NotPprof {
            detail: format!(
                "it decompresses to more than {} MiB, far beyond any CPU profile",
                MAX_DECOMPRESSED_BYTES / (1024 * 1024)
            ),
        });
    }
    Ok(out)
}

/// Walks every reference once so that later stages can trust the profile: each sample's
/// locations, each location's functions and mapping, and every string index used.
fn validate(profile: &Profile) -> Result<(), ProfileError> {
    let index = ProfileIndex::new(profile)?;
    for value_type in &profile.sample_type {
        index.string(value_type.r#type, "a sample type")?;
        index.string(value_type.unit, "a sample unit")?;
    }
    for function in &profile.function {
        index.string(function.name, "a function name")?;
        index.string(function.system_name, "a function's system name")?;
        index.string(function.filename, "a function's file name")?;
    }
    for mapping in &profile.mapping {
        index.string(mapping.filename, "a mapping's file name")?;
    }
    for location in &profile.location {
        index.location_frames(location)?;
    }
    for (n, sample) in profile.sample.iter().enumerate() {
        if sample.value.len() != profile.sample_type.len() {
            return Err(ProfileError::corrupt(format!(
                "sample #{n} has {} values but the profile declares {} sample types",
                sample.value.len(),
                profile.sample_type.len()
            )));
        }
        for &id in &sample.location_id {
            index.location(id, n)?;
        }
    }
    Ok(())
}

/// Lookups by id over one profile, each failing with a [`ProfileError::Corrupt`] that
/// says which reference dangles.
pub(crate) struct ProfileIndex<'a> {
    profile: &'a Profile,
    locations: HashMap<u64, &'a Location>,
    functions: HashMap<u64, &'a Function>,
    mappings: HashMap<u64, &'a Mapping>,
}

impl<'a> ProfileIndex<'a> {
    pub(crate) fn new(profile: &'a Profile) -> Result<Self, ProfileError> {
        fn by_id<'a, T>(
            items: &'a [T],
            id: impl Fn(&T) -> u64,
            what: &str,
        ) -> Result<HashMap<u64, &'a T>, ProfileError> {
            let mut map = HashMap::with_capacity(items.len());
            for item in items {
                let key = id(item);
                if key == 0 {
                    return Err(ProfileError::corrupt(format!("a {what} has id 0")));
                }
                if map.insert(key, item).is_some() {
                    return Err(ProfileError::corrupt(format!(
                        "two {what}s share the id {key}"
                    )));
                }
            }
            Ok(map)
        }
        Ok(Self {
            profile,
            locations: by_id(&profile.location, |l| l.id, "location")?,
            functions: by_id(&profile.function, |f| f.id, "function")?,
            mappings: by_id(&profile.mapping, |m| m.id, "mapping")?,
        })
    }

    pub(crate) fn string(&self, index: i64, what: &str) -> Result<&'a str, ProfileError> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.profile.string_table.get(i))
            .map(String::as_str)
            .ok_or_else(|| {
                ProfileError::corrupt(format!(
                    "{what} points to string #{index} but the string table has {} entries",
                    self.profile.string_table.len()
                ))
            })
    }

    pub(crate) fn location(&self, id: u64, sample: usize) -> Result<&'a Location, ProfileError> {
        self.locations.get(&id).copied().ok_or_else(|| {
            ProfileError::corrupt(format!(
                "sample #{sample} references location {id}, which the profile does not define"
            ))
        })
    }

    /// The frame names of one location, innermost (inlined) first, as pprof stores them.
    pub(crate) fn location_frames(&self, location: &Location) -> Result<Vec<String>, ProfileError> {
        let mapping = match location.mapping_id {
            0 => None,
            id => Some(self.mappings.get(&id).copied().ok_or_else(|| {
                ProfileError::corrupt(format!(
                    "location {} references mapping {id}, which the profile does not define",
                    location.id
                ))
            })?),
        };
        if location.line.is_empty() {
            // Unsymbolised: the address (and binary) is all there is to show.
            let binary = match mapping {
                Some(m) => self.string(m.filename, "a mapping's file name")?,
                None => "",
            };
            let base = binary.rsplit('/').next().unwrap_or(binary);
            return Ok(vec![if base.is_empty() {
                format!("0x{:x}", location.address)
            } else {
                format!("{base}+0x{:x}", location.address)
            }]);
        }
        location
            .line
            .iter()
            .map(|line| {
                let function = self.functions.get(&line.function_id).ok_or_else(|| {
                    ProfileError::corrupt(format!(
                        "location {} references function {}, which the profile does not define",
                        location.id, line.function_id
                    ))
                })?;
                let name = self.string(function.name, "a function name")?;
                let name = if name.is_empty() {
                    self.string(function.system_name, "a function's system name")?
                } else {
                    name
                };
                Ok(if name.is_empty() {
                    format!("[function {}]", function.id)
                } else {
                    name.to_string()
                })
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use prost::Message;

    fn minimal(samples: Vec<Sample>) -> Profile {
        Profile {
            sample_type: vec![ValueType { r#type: 1, unit: 2 }],
            sample: samples,
            location: vec![Location {
                id: 1,
                line: vec![Line {
                    function_id: 1,
                    line: 3,
                    column: 0,
                }],
                ..Default::default()
            }],
            function: vec![Function {
                id: 1,
                name: 3,
                ..Default::default()
            }],
            string_table: vec!["".into(), "samples".into(), "count".into(), "main".into()],
            ..Default::default()
        }
    }

    #[test]
    fn raw_and_gzipped_protobuf_decode_to_the_same_profile() {
        let profile = minimal(vec![Sample {
            location_id: vec![1],
            value: vec![5],
            label: vec![],
        }]);
        let raw = profile.encode_to_vec();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &raw).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(decode_pprof(&raw).unwrap(), profile);
        assert_eq!(decode_pprof(&gz).unwrap(), profile);
    }

    #[test]
    fn a_sample_with_too_few_values_is_corrupt() {
        let profile = minimal(vec![Sample {
            location_id: vec![1],
            value: vec![],
            label: vec![],
        }]);
        let err = decode_pprof(&profile.encode_to_vec()).unwrap_err();
        assert!(
            matches!(&err, ProfileError::Corrupt { detail } if detail.contains("0 values")),
            "{err}"
        );
    }

    #[test]
    fn a_line_naming_a_missing_function_is_corrupt() {
        let mut profile = minimal(vec![Sample {
            location_id: vec![1],
            value: vec![1],
            label: vec![],
        }]);
        profile.function.clear();
        let err = decode_pprof(&profile.encode_to_vec()).unwrap_err();
        assert!(
            matches!(&err, ProfileError::Corrupt { detail } if detail.contains("function 1")),
            "{err}"
        );
    }

    #[test]
    fn a_string_index_past_the_table_is_corrupt() {
        let mut profile = minimal(vec![Sample {
            location_id: vec![1],
            value: vec![1],
            label: vec![],
        }]);
        profile.function[0].name = 99;
        let err = decode_pprof(&profile.encode_to_vec()).unwrap_err();
        assert!(
            matches!(&err, ProfileError::Corrupt { detail } if detail.contains("#99")),
            "{err}"
        );
    }

    #[test]
    fn an_unsymbolised_location_is_named_by_binary_and_address() {
        let mut profile = minimal(vec![]);
        profile.string_table.push("/usr/lib/libc.so.6".into());
        profile.mapping.push(Mapping {
            id: 7,
            filename: 4,
            ..Default::default()
        });
        let location = Location {
            id: 2,
            mapping_id: 7,
            address: 0xbeef,
            ..Default::default()
        };
        let index = ProfileIndex::new(&profile).unwrap();
        assert_eq!(
            index.location_frames(&location).unwrap(),
            vec!["libc.so.6+0xbeef".to_string()]
        );
    }
}
