package io.beamline.recording.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cutting ffmpeg's fragmented MP4 output into parts at fragment boundaries. */
class Fmp4PartsTest {

  @TempDir static Path dir;
  static byte[] fmp4;

  @BeforeAll
  static void encode() throws Exception {
    // 4 s of H.264 + AAC with a keyframe (so a fragment) every 0.5 s, muxed exactly as the worker
    // does.
    Path out = dir.resolve("in.mp4");
    Process ffmpeg =
        new ProcessBuilder(
                "ffmpeg",
                "-nostdin",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=320x180:rate=25",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440",
                "-t",
                "4",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "12",
                "-c:a",
                "aac",
                "-f",
                "mp4",
                "-movflags",
                "+frag_keyframe+empty_moov+default_base_moof",
                out.toString())
            .inheritIO()
            .start();
    assertTrue(ffmpeg.waitFor(60, TimeUnit.SECONDS) && ffmpeg.exitValue() == 0, "ffmpeg failed");
    fmp4 = Files.readAllBytes(out);
  }

  @Test
  void shouldCutAtFragmentsOncePartSizeIsReachedAndKeepEveryByte() throws IOException {
    int partSize = 32 * 1024;
    List<byte[]> parts = cut(fmp4, partSize);
    assertTrue(parts.size() > 2, "expected several parts, got " + parts.size());
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (int i = 0; i < parts.size(); i++) {
      byte[] part = parts.get(i);
      if (i < parts.size() - 1) {
        assertTrue(part.length >= partSize, "part " + i + " is " + part.length + " bytes");
      }
      if (i > 0) {
        assertEquals("moof", new String(part, 4, 4, StandardCharsets.US_ASCII), "part " + i);
      }
      joined.writeBytes(part);
    }
    assertArrayEquals(fmp4, joined.toByteArray());
  }

  @Test
  void shouldDropAnIncompleteFragmentAtTheEndAndStayPlayable() throws Exception {
    byte[] truncated = Arrays.copyOf(fmp4, fmp4.length * 2 / 3);
    List<byte[]> parts = cut(truncated, 16 * 1024);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    parts.forEach(joined::writeBytes);
    byte[] kept = joined.toByteArray();
    assertTrue(kept.length < truncated.length && kept.length > fmp4.length / 3);
    Path file = dir.resolve("kept.mp4");
    Files.write(file, kept);
    MediaMetadata metadata = probe(file);
    assertEquals("mp4", metadata.format());
    assertTrue(metadata.duration() > 1.0 && metadata.duration() < 3.0, "" + metadata.duration());
    assertEquals(List.of("h264", "aac"), metadata.tracks().stream().map(t -> t.codec()).toList());
  }

  private static List<byte[]> cut(byte[] input, int partSize) throws IOException {
    List<byte[]> parts = new ArrayList<>();
    long emitted =
        new Fmp4Parts(
                new ByteArrayInputStream(input),
                partSize,
                (data, length) -> parts.add(Arrays.copyOf(data, length)))
            .run();
    assertEquals(parts.stream().mapToLong(p -> p.length).sum(), emitted);
    return parts;
  }

  private static MediaMetadata probe(Path file) throws Exception {
    Process ffprobe =
        new ProcessBuilder(
                "ffprobe",
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                file.toString())
            .start();
    String json = new String(ffprobe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(ffprobe.waitFor(30, TimeUnit.SECONDS) && ffprobe.exitValue() == 0);
    return Ffprobe.parse(json);
  }
}
