package io.beamline.syndication.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** An ffmpeg publisher of a small test pattern with a tone, as a user would go live. */
public final class Publisher implements AutoCloseable {

  private final Process process;

  private Publisher(Process process) {
    this.process = process;
  }

  /** Starts publishing to {@code url} (an RTMP URL with the stream name and any query). */
  public static Publisher start(String url) {
    try {
      Path log = Files.createDirectories(Path.of("target", "test-ffmpeg")).resolve("publish.log");
      Process p =
          new ProcessBuilder(
                  List.of(
                      "ffmpeg",
                      "-nostdin",
                      "-loglevel",
                      "error",
                      "-re",
                      "-f",
                      "lavfi",
                      "-i",
                      "testsrc2=size=320x180:rate=25",
                      "-f",
                      "lavfi",
                      "-i",
                      "sine=frequency=440",
                      "-c:v",
                      "libx264",
                      "-preset",
                      "ultrafast",
                      "-tune",
                      "zerolatency",
                      "-g",
                      "25",
                      "-c:a",
                      "aac",
                      "-f",
                      "flv",
                      url))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      return new Publisher(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
