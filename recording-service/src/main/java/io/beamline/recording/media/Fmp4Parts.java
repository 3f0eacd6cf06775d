package io.beamline.recording.media;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Cuts a fragmented MP4 byte stream into upload parts at fragment ({@code moof}) boundaries, so
 * that every prefix of uploaded parts is a playable file: the init segment followed by whole
 * fragments.
 *
 * <p>Only complete top-level boxes are ever emitted; a box cut short by the end of the stream (the
 * reader was killed mid-write), and a trailing {@code moof} without its {@code mdat}, are dropped.
 */
public final class Fmp4Parts {

  /** Receives each part; the array is reused after the call returns. */
  @FunctionalInterface
  public interface Sink {
    void part(byte[] data, int length) throws IOException;
  }

  private static final int MOOF = fourCc("moof");

  private final InputStream in;
  private final int partSize;
  private final Sink sink;
  private byte[] buffer;
  private int length;
  private long emitted;

  public Fmp4Parts(InputStream in, int partSize, Sink sink) {
    this.in = in;
    this.partSize = partSize;
    this.sink = sink;
    this.buffer = new byte[Math.max(64 * 1024, partSize + partSize / 4)];
  }

  /**
   * Reads the stream to its end, emitting a part each time a fragment starts with at least {@code
   * partSize} bytes buffered, and the rest at the end.
   *
   * @return the bytes emitted
   */
  public long run() throws IOException {
    int lastBoxStart = -1;
    int lastBoxType = 0;
    byte[] header = new byte[16];
    while (true) {
      int got = in.readNBytes(header, 0, 8);
      if (got < 8) {
        break;
      }
      long size = readUInt32(header, 0);
      int type = readInt(header, 4);
      int headerLength = 8;
      if (size == 1) {
        if (in.readNBytes(header, 8, 8) < 8) {
          break;
        }
        size = readLong(header, 8);
        headerLength = 16;
      } else if (size == 0) {
        // "to the end of the file": not written by a fragmenting muxer; take what comes.
        size = Long.MAX_VALUE;
      }
      if (size < headerLength) {
        throw new IOException("malformed MP4 box of size " + size);
      }
      if (type == MOOF && length >= partSize) {
        flush();
        lastBoxStart = -1;
      }
      int start = length;
      append(header, headerLength);
      try {
        copyBody(size == Long.MAX_VALUE ? -1 : size - headerLength);
      } catch (EOFException e) {
        length = start;
        break;
      }
      lastBoxStart = start;
      lastBoxType = type;
    }
    if (lastBoxType == MOOF && lastBoxStart >= 0) {
      // A fragment header whose media never arrived.
      length = lastBoxStart;
    }
    if (length > 0) {
      flush();
    }
    return emitted;
  }

  private void copyBody(long remaining) throws IOException {
    if (remaining < 0) {
      byte[] chunk = new byte[64 * 1024];
      int n;
      while ((n = in.read(chunk)) > 0) {
        append(chunk, n);
      }
      return;
    }
    if (remaining > Integer.MAX_VALUE - 16 - length) {
      throw new IOException("MP4 box too large to buffer: " + remaining + " bytes");
    }
    ensure(length + (int) remaining);
    int toRead = (int) remaining;
    while (toRead > 0) {
      int n = in.read(buffer, length, toRead);
      if (n < 0) {
        throw new EOFException();
      }
      length += n;
      toRead -= n;
    }
  }

  private void append(byte[] data, int n) {
    ensure(length + n);
    System.arraycopy(data, 0, buffer, length, n);
    length += n;
  }

  private void ensure(int capacity) {
    if (capacity > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(capacity, buffer.length * 2));
    }
  }

  private void flush() throws IOException {
    sink.part(buffer, length);
    emitted += length;
    length = 0;
  }

  private static int fourCc(String name) {
    return (name.charAt(0) << 24) | (name.charAt(1) << 16) | (name.charAt(2) << 8) | name.charAt(3);
  }

  private static int readInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24)
        | ((b[at + 1] & 0xff) << 16)
        | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }

  private static long readUInt32(byte[] b, int at) {
    return readInt(b, at) & 0xffffffffL;
  }

  private static long readLong(byte[] b, int at) {
    return (readUInt32(b, at) << 32) | readUInt32(b, at + 4);
  }
}
