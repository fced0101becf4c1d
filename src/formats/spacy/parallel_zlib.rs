//! A zlib stream compressed on all cores, as pigz does: the input is cut into blocks,
//! each compressed on its own into deflate blocks that end on a byte boundary (the last
//! one final), written in order after one zlib header, with the Adler-32 of all the
//! input at the end. Any zlib reader reads it as one stream; a block does not see the
//! one before it, which costs a few bytes per block.

use std::io::{self, Write};

use flate2::{Compress, Compression, FlushCompress, Status};
use rayon::prelude::*;

/// Input compressed as one unit.
const BLOCK: usize = 1 << 22;

pub struct ParallelZlib<'a> {
    out: &'a mut dyn Write,
    level: Compression,
    /// Full blocks waiting for one per core, and the block being filled.
    full: Vec<Vec<u8>>,
    filling: Vec<u8>,
    adler: simd_adler32::Adler32,
    per_round: usize,
}

impl<'a> ParallelZlib<'a> {
    pub fn new(out: &'a mut dyn Write, level: Compression) -> io::Result<Self> {
        // CMF 0x78 (deflate, 32 KiB window), FLG 0x9c: a valid check, no dictionary.
        out.write_all(&[0x78, 0x9c])?;
        Ok(ParallelZlib {
            out,
            level,
            full: Vec::new(),
            filling: Vec::with_capacity(BLOCK),
            adler: simd_adler32::Adler32::new(),
            per_round: rayon::current_num_threads().max(1),
        })
    }

    /// Compresses what is left, ends the stream and writes the checksum.
    pub fn finish(mut self) -> io::Result<()> {
        let last = std::mem::take(&mut self.filling);
        self.adler.write(&last);
        self.full.push(last);
        self.compress_full(true)?;
        self.out.write_all(&self.adler.finish().to_be_bytes())?;
        self.out.flush()
    }

    fn compress_full(&mut self, ends: bool) -> io::Result<()> {
        let n = self.full.len();
        let level = self.level;
        let parts: Vec<io::Result<Vec<u8>>> = self
            .full
            .par_iter()
            .enumerate()
            .map(|(i, b)| deflate(b, level, ends && i + 1 == n))
            .collect();
        self.full.clear();
        for p in parts {
            self.out.write_all(&p?)?;
        }
        Ok(())
    }
}

impl Write for ParallelZlib<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = BLOCK - self.filling.len();
        let take = buf.len().min(room);
        self.filling.extend_from_slice(&buf[..take]);
        if self.filling.len() == BLOCK {
            let block = std::mem::replace(&mut self.filling, Vec::with_capacity(BLOCK));
            self.adler.write(&block);
            self.full.push(block);
            if self.full.len() >= self.per_round {
                self.compress_full(false)?;
            }
        }
        Ok(take)
    }

    /// Compressed output leaves only with whole blocks; this flushes the sink.
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Raw deflate of one block: byte-aligned at its end (a sync flush), or final.
fn deflate(block: &[u8], level: Compression, last: bool) -> io::Result<Vec<u8>> {
    let mut c = Compress::new(level, false);
    let mut out = Vec::with_capacity(block.len() / 4 + 1024);
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    loop {
        if out.len() == out.capacity() {
            out.reserve(out.capacity().max(1024));
        }
        let consumed = c.total_in() as usize;
        let status = c
            .compress_vec(&block[consumed..], &mut out, flush)
            .map_err(io::Error::other)?;
        let all_in = c.total_in() as usize == block.len();
        // A flush is complete once it left room in the output.
        let done = match status {
            Status::StreamEnd => true,
            _ => !last && all_in && out.len() < out.capacity(),
        };
        if done {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn roundtrip(data: &[u8], level: Compression) {
        let mut out = Vec::new();
        let mut z = ParallelZlib::new(&mut out, level).unwrap();
        // Odd write sizes, so blocks are cut mid-write.
        for piece in data.chunks(7919) {
            z.write_all(piece).unwrap();
        }
        z.finish().unwrap();
        let mut back = Vec::new();
        flate2::read::ZlibDecoder::new(&out[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
    }

    #[test]
    fn zlib_readers_read_it_as_one_stream() {
        roundtrip(b"", Compression::default());
        roundtrip(b"spanbench", Compression::fast());
        // Several blocks, some exactly full, of text and of zeros.
        let mut data = Vec::new();
        let mut x: u32 = 1;
        while data.len() < 3 * BLOCK + 12345 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            data.extend_from_slice(if x.is_multiple_of(3) {
                &[0u8; 64]
            } else {
                b"Stepanakert, 1994. "
            });
        }
        roundtrip(&data, Compression::default());
        roundtrip(&data[..2 * BLOCK], Compression::new(1));
    }
}
