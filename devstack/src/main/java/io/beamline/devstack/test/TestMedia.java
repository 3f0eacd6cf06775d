package io.beamline.devstack.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** ffmpeg and ffprobe as a test's publisher and player: lavfi test sources, real encoders. */
public final class TestMedia {

  private TestMedia() {}

  /**
   * ffmpeg publishing {@code seconds} of the lavfi test pattern {@code video} (e.g. {@code
   * testsrc=size=320x240:rate=15}) and, with {@code audio}, a 440 Hz tone to the RTMP {@code url},
   * at real-time speed, H.264 with a keyframe every {@code keyframeEvery} frames and AAC, as a
   * user's encoder would; {@code seconds} of 0 or less publishes until the process is stopped.
   */
  public static List<String> publishCommand(
      String url, String video, boolean audio, int seconds, int keyframeEvery) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", video));
    if (audio) {
      command.addAll(List.of("-f", "lavfi", "-i", "sine=frequency=440"));
    }
    if (seconds > 0) {
      command.addAll(List.of("-t", Integer.toString(seconds)));
    }
    command.addAll(
        List.of(
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-g",
            Integer.toString(keyframeEvery)));
    if (audio) {
      command.addAll(List.of("-c:a", "aac"));
    }
    command.addAll(List.of("-f", "flv", url));
    return command;
  }

  /** Starts {@code command} with no input and its output appended to {@code log}. */
  public static Process start(List<String> command, Path log) {
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0), e);
    }
  }

  /**
   * The distinct codec names ffprobe finds at {@code url} among the streams {@code select} picks
   * (e.g. {@code v:0}; null for all), in the order it prints them; empty when it cannot read the
   * stream within {@code timeout}.
   */
  public static List<String> codecs(String url, String select, Duration timeout) {
    List<String> command = new ArrayList<>(List.of("ffprobe", "-v", "error"));
    command.addAll(List.of("-rw_timeout", Long.toString(timeout.toMillis() * 1000)));
    if (select != null) {
      command.addAll(List.of("-select_streams", select));
    }
    command.addAll(List.of("-show_entries", "stream=codec_name", "-of", "csv=p=0", url));
    try {
      Process p =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return List.of();
      }
      // An HLS master playlist lists a variant's streams once per program: distinct names.
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::strip)
          .filter(line -> !line.isEmpty())
          .distinct()
          .toList();
    } catch (IOException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }
}
