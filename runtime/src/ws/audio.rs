//! Audio helpers for voice channels: 16-bit PCM from base64, PCM streamed as binary frames,
//! and WAV files.
//!
//! The Autessa voice channel speaks raw PCM: signed 16-bit little-endian mono (16 kHz for the
//! agent's audio). Received chunks carry it as base64 text ([`decode_base64_pcm16`]); the
//! client sends it as binary frames ([`WsSender::send_pcm_reader`],
//! [`WsSender::send_pcm_stream`]); [`write_wav`] and [`save_wav`] store samples in a file any
//! player opens.
//!
//! WAV is written by hand rather than with a crate such as `hound`: for one channel of 16-bit
//! PCM the format is a fixed 44-byte header (`RIFF`/`WAVE`, a 16-byte `fmt ` chunk, a `data`
//! chunk) followed by the samples, about thirty lines with a test that reads every field
//! back; a dependency would add more surface than it removes.

use std::error::Error as StdError;
use std::io::{self, Write};
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::{WsError, WsSender, WsSession};

/// Why audio could not be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AudioError {
    /// The text is not base64.
    #[error("the audio is not valid base64")]
    Base64(#[source] base64::DecodeError),
    /// 16-bit samples need an even number of bytes.
    #[error("16-bit PCM needs an even number of bytes, got {len}")]
    OddLength {
        /// The number of bytes.
        len: usize,
    },
}

/// Decodes base64 text of signed 16-bit little-endian PCM (as in `base64Audio`) into samples.
///
/// ```
/// use autessa_runtime::ws::audio::decode_base64_pcm16;
/// assert_eq!(decode_base64_pcm16("AQD//w==").unwrap(), [1, -1]);
/// ```
pub fn decode_base64_pcm16(text: &str) -> Result<Vec<i16>, AudioError> {
    let bytes = STANDARD.decode(text.trim()).map_err(AudioError::Base64)?;
    pcm16_from_le_bytes(&bytes)
}

/// Reads signed 16-bit little-endian samples.
pub fn pcm16_from_le_bytes(bytes: &[u8]) -> Result<Vec<i16>, AudioError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(AudioError::OddLength { len: bytes.len() });
    }
    Ok(bytes
        .chunks_exact(2)
        .map(|pair| i16::from_le_bytes([pair[0], pair[1]]))
        .collect())
}

/// Writes samples as signed 16-bit little-endian bytes (the payload of an audio frame).
pub fn pcm16_to_le_bytes(samples: &[i16]) -> Vec<u8> {
    samples
        .iter()
        .flat_map(|sample| sample.to_le_bytes())
        .collect()
}

/// The number of bytes of `millis` milliseconds of 16-bit mono PCM at `sample_rate`: a frame
/// size for [`WsSender::send_pcm_reader`] (20 ms at 16 kHz: 640 bytes).
pub const fn pcm16_frame_bytes(sample_rate: u32, millis: u32) -> usize {
    (sample_rate as usize * millis as usize / 1000) * 2
}

/// The WAV header size written by [`write_wav`].
pub const WAV_HEADER_LEN: usize = 44;

/// Writes `samples` as a WAV file: PCM, one channel, 16 bits, `sample_rate` hertz.
///
/// Fails with [`io::ErrorKind::InvalidInput`] when the audio is too long for a WAV file
/// (over 4 GiB).
pub fn write_wav<W: Write>(mut writer: W, samples: &[i16], sample_rate: u32) -> io::Result<()> {
    const CHANNELS: u16 = 1;
    const BITS: u16 = 16;
    const BLOCK_ALIGN: u16 = CHANNELS * BITS / 8;
    let too_long = || io::Error::new(io::ErrorKind::InvalidInput, "too much audio for a WAV file");
    let data_len = samples
        .len()
        .checked_mul(2)
        .and_then(|len| u32::try_from(len).ok())
        .ok_or_else(too_long)?;
    let riff_len = data_len.checked_add(36).ok_or_else(too_long)?;
    let byte_rate = sample_rate
        .checked_mul(u32::from(BLOCK_ALIGN))
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "sample rate too high"))?;
    let mut header = Vec::with_capacity(WAV_HEADER_LEN);
    header.extend_from_slice(b"RIFF");
    header.extend_from_slice(&riff_len.to_le_bytes());
    header.extend_from_slice(b"WAVEfmt ");
    header.extend_from_slice(&16_u32.to_le_bytes()); // the fmt chunk's size
    header.extend_from_slice(&1_u16.to_le_bytes()); // PCM
    header.extend_from_slice(&CHANNELS.to_le_bytes());
    header.extend_from_slice(&sample_rate.to_le_bytes());
    header.extend_from_slice(&byte_rate.to_le_bytes());
    header.extend_from_slice(&BLOCK_ALIGN.to_le_bytes());
    header.extend_from_slice(&BITS.to_le_bytes());
    header.extend_from_slice(b"data");
    header.extend_from_slice(&data_len.to_le_bytes());
    writer.write_all(&header)?;
    writer.write_all(&pcm16_to_le_bytes(samples))?;
    writer.flush()
}

/// Writes `samples` to a WAV file at `path` (see [`write_wav`]).
pub fn save_wav(path: impl AsRef<Path>, samples: &[i16], sample_rate: u32) -> io::Result<()> {
    let file = std::fs::File::create(path)?;
    write_wav(io::BufWriter::new(file), samples, sample_rate)
}

impl WsSender {
    /// Reads raw PCM from `reader` until its end and sends it as binary frames of
    /// `frame_bytes` bytes (the last one may be shorter). Returns the number of bytes sent.
    ///
    /// Frames are sent as fast as the session takes them (the bounded queue paces them to
    /// the connection), not in real time. Use a multiple of the sample size for
    /// `frame_bytes` (see [`pcm16_frame_bytes`]); 0 is taken as 1.
    pub async fn send_pcm_reader<R: AsyncRead + Unpin>(
        &self,
        mut reader: R,
        frame_bytes: usize,
    ) -> Result<u64, WsError> {
        let frame_bytes = frame_bytes.max(1);
        let mut sent = 0_u64;
        let mut frame = vec![0_u8; frame_bytes];
        let mut filled = 0;
        loop {
            let read = reader
                .read(&mut frame[filled..])
                .await
                .map_err(|error| self.source_error(error))?;
            filled += read;
            if filled == frame_bytes || (read == 0 && filled > 0) {
                self.send_binary(Bytes::copy_from_slice(&frame[..filled]))
                    .await?;
                sent += filled as u64;
                filled = 0;
            }
            if read == 0 {
                return Ok(sent);
            }
        }
    }

    /// Sends the bytes of `stream` (chunks of any size) as binary frames of `frame_bytes`
    /// bytes (the last one may be shorter), until the stream ends. Returns the number of bytes
    /// sent. An item that is an error stops the sending with [`WsError::Source`].
    pub async fn send_pcm_stream<S, B, E>(
        &self,
        stream: S,
        frame_bytes: usize,
    ) -> Result<u64, WsError>
    where
        S: Stream<Item = Result<B, E>>,
        B: AsRef<[u8]>,
        E: Into<Box<dyn StdError + Send + Sync>>,
    {
        let frame_bytes = frame_bytes.max(1);
        let mut stream = std::pin::pin!(stream);
        let mut pending = BytesMut::with_capacity(frame_bytes);
        let mut sent = 0_u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|error| self.source_error(error))?;
            pending.extend_from_slice(chunk.as_ref());
            while pending.len() >= frame_bytes {
                self.send_binary(pending.split_to(frame_bytes).freeze())
                    .await?;
                sent += frame_bytes as u64;
            }
        }
        if !pending.is_empty() {
            sent += pending.len() as u64;
            self.send_binary(pending.freeze()).await?;
        }
        Ok(sent)
    }

    fn source_error(&self, error: impl Into<Box<dyn StdError + Send + Sync>>) -> WsError {
        WsError::Source {
            channel: self.channel(),
            source: error.into(),
        }
    }
}

impl WsSession {
    /// [`WsSender::send_pcm_reader`] on this session.
    pub async fn send_pcm_reader<R: AsyncRead + Unpin>(
        &self,
        reader: R,
        frame_bytes: usize,
    ) -> Result<u64, WsError> {
        self.sender().send_pcm_reader(reader, frame_bytes).await
    }

    /// [`WsSender::send_pcm_stream`] on this session.
    pub async fn send_pcm_stream<S, B, E>(
        &self,
        stream: S,
        frame_bytes: usize,
    ) -> Result<u64, WsError>
    where
        S: Stream<Item = Result<B, E>>,
        B: AsRef<[u8]>,
        E: Into<Box<dyn StdError + Send + Sync>>,
    {
        self.sender().send_pcm_stream(stream, frame_bytes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pcm_decodes_little_endian_signed() {
        let bytes = pcm16_to_le_bytes(&[0, 1, -1, i16::MAX, i16::MIN, 0x1234]);
        assert_eq!(&bytes[..6], [0, 0, 1, 0, 0xff, 0xff]);
        let text = STANDARD.encode(&bytes);
        assert_eq!(
            decode_base64_pcm16(&text).unwrap(),
            [0, 1, -1, i16::MAX, i16::MIN, 0x1234]
        );
        assert!(decode_base64_pcm16("").unwrap().is_empty());
        assert!(matches!(
            decode_base64_pcm16("AQID"),
            Err(AudioError::OddLength { len: 3 })
        ));
        assert!(matches!(
            decode_base64_pcm16("not base64!"),
            Err(AudioError::Base64(_))
        ));
    }

    #[test]
    fn frame_sizes() {
        assert_eq!(pcm16_frame_bytes(16_000, 20), 640);
        assert_eq!(pcm16_frame_bytes(8_000, 1000), 16_000);
    }

    fn u16_at(bytes: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([bytes[at], bytes[at + 1]])
    }

    fn u32_at(bytes: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn wav_header_fields() {
        let samples = [0_i16, 1000, -1000, i16::MAX, i16::MIN];
        let mut file = Vec::new();
        write_wav(&mut file, &samples, 16_000).unwrap();
        assert_eq!(file.len(), WAV_HEADER_LEN + 10);
        assert_eq!(&file[0..4], b"RIFF");
        assert_eq!(u32_at(&file, 4), 36 + 10);
        assert_eq!(&file[8..16], b"WAVEfmt ");
        assert_eq!(u32_at(&file, 16), 16);
        assert_eq!(u16_at(&file, 20), 1, "PCM");
        assert_eq!(u16_at(&file, 22), 1, "mono");
        assert_eq!(u32_at(&file, 24), 16_000);
        assert_eq!(u32_at(&file, 28), 32_000, "byte rate");
        assert_eq!(u16_at(&file, 32), 2, "block align");
        assert_eq!(u16_at(&file, 34), 16, "bits");
        assert_eq!(&file[36..40], b"data");
        assert_eq!(u32_at(&file, 40), 10);
        assert_eq!(pcm16_from_le_bytes(&file[44..]).unwrap(), samples);
    }

    #[test]
    fn save_wav_writes_a_file() {
        let path = std::env::temp_dir().join(format!("autessa-ws-{}.wav", std::process::id()));
        save_wav(&path, &[1, 2, 3], 8_000).unwrap();
        let file = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(file.len(), WAV_HEADER_LEN + 6);
        assert_eq!(u32_at(&file, 24), 8_000);
    }

    #[test]
    fn wav_rejects_impossible_rates() {
        let error = write_wav(Vec::new(), &[0], u32::MAX).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    }
}
