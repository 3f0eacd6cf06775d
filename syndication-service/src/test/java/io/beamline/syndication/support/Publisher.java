package io.beamline.syndication.support;

import io.beamline.devstack.test.TestMedia;
import java.nio.file.Path;

/** An ffmpeg publisher of a small test pattern with a tone, as a user would go live. */
public final class Publisher implements AutoCloseable {

  private final Process process;

  private Publisher(Process process) {
    this.process = process;
  }

  /** Starts publishing to {@code url} (an RTMP URL with the stream name and any query). */
  public static Publisher start(String url) {
    return new Publisher(
        TestMedia.start(
            TestMedia.publishCommand(url, "testsrc2=size=320x180:rate=25", true, 0, 25),
            Path.of("target", "test-ffmpeg", "publish.log")));
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
