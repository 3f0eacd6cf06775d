package io.beamline.syndication.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Pure parts of a restream job: failure reasons, target URLs and redaction. */
class JobWorkerTest {

  @Test
  void shouldClassifyFfmpegErrorsWithoutSecrets() {
    assertEquals(
        "connection-refused",
        JobWorker.classify("rtmp://127.0.0.1:1/partner/k1: Connection refused", 1));
    assertEquals(
        "connection-lost", JobWorker.classify("av_interleaved_write_frame(): Broken pipe", 1));
    assertEquals("timeout", JobWorker.classify("Connection timed out", 1));
    assertEquals("ffmpeg-exit-187", JobWorker.classify("", 187));
  }

  @Test
  void shouldBuildAndRedactTargetUrls() {
    assertEquals("rtmp://a.example/app/key1", TargetUrls.withKey("rtmp://a.example/app", "key1"));
    assertEquals("rtmp://a.example/app/key1", TargetUrls.withKey("rtmp://a.example/app/", "key1"));
    assertEquals(
        "srt://a.example:9000?latency=200&streamid=key1",
        TargetUrls.withKey("srt://a.example:9000?latency=200", "key1"));
    assertEquals("rtmp://a.example/app/****", TargetUrls.redacted("rtmp://a.example/app"));
    String scrubbed =
        TargetUrls.scrub(
            "rtmp://m/live/cam?jwt=eyJ.abc.def failed; rtmp://a/app/secret-k1 refused",
            "secret-k1");
    assertFalse(scrubbed.contains("secret-k1"));
    assertFalse(scrubbed.contains("eyJ"));
    assertTrue(TargetUrls.isSrt("SRT://x:1"));
  }

  @Test
  void shouldDeriveStableTokenTargetIdsFromUrlAndKey() {
    TargetSpec a = TargetSpec.ofTokenTarget(7, "rtmp://x/app", "key-1", "A");
    TargetSpec relabelled = TargetSpec.ofTokenTarget(7, "rtmp://x/app", "key-1", "B");
    TargetSpec rekeyed = TargetSpec.ofTokenTarget(7, "rtmp://x/app", "key-2", "A");
    assertEquals(a.targetId(), relabelled.targetId());
    assertFalse(a.targetId().equals(rekeyed.targetId()));
    assertTrue(a.targetId().startsWith("t7-"));
    assertFalse(a.toString().contains("key-1"));
  }
}
