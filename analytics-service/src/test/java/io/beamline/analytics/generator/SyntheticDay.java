package io.beamline.analytics.generator;

import io.beamline.events.BeamlineEvent;
import io.beamline.events.EventCatalog;
import io.beamline.events.StreamScoped;
import io.beamline.events.recording.RecordingCompletedEvent;
import io.beamline.events.recording.RecordingFailedEvent;
import io.beamline.events.recording.RecordingStartedEvent;
import io.beamline.events.restream.RestreamFailedEvent;
import io.beamline.events.restream.RestreamStartedEvent;
import io.beamline.events.restream.RestreamStoppedEvent;
import io.beamline.events.stream.FeedEndedEvent;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.Protocol;
import io.beamline.events.stream.PublisherFailedEvent;
import io.beamline.events.stream.SourceSwitchedEvent;
import io.beamline.events.stream.StreamEndedEvent;
import io.beamline.events.stream.StreamStartedEvent;
import io.beamline.events.stream.StreamStatsEvent;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.LongFunction;

/**
 * A seeded, synthetic day of the event contract: streams going live with feeds, backups, per-minute
 * stats, viewer sessions (some tracked, from several countries, some internal readers), recordings
 * and restreams. The same seed always gives the same events.
 */
public final class SyntheticDay {

  /** An event with the topic it is published on. */
  public record Published(String topic, BeamlineEvent event) {

    /** The Kafka key: the stream id. */
    public String key() {
      return ((StreamScoped) event).streamId();
    }
  }

  static final String[] CLUSTERS = {"eu-west", "us-east", "ap-south"};
  static final String[] COUNTRIES = {"US", "DE", "FR", "GB", "BR", "IN", "JP", null};
  static final String[] TRACKING = {null, null, "northwind-tv", "contoso", "fabrikam", "tailspin"};
  static final Protocol[] PROTOCOLS = {Protocol.HLS, Protocol.WEBRTC, Protocol.RTMP};

  private final List<Published> events = new ArrayList<>();
  private final Instant dayStart;

  private SyntheticDay(Instant dayStart) {
    this.dayStart = dayStart;
  }

  /**
   * Generates a day.
   *
   * @param seed the seed
   * @param day the UTC day every event falls in
   * @param accounts account ids
   * @param streamsPerAccount streams of each account
   * @param maxViewersPerStream upper bound of audience sessions per stream
   */
  public static SyntheticDay generate(
      long seed,
      LocalDate day,
      List<String> accounts,
      int streamsPerAccount,
      int maxViewersPerStream) {
    SyntheticDay generated = new SyntheticDay(day.atStartOfDay(ZoneOffset.UTC).toInstant());
    Random random = new Random(seed);
    for (String account : accounts) {
      for (int i = 0; i < streamsPerAccount; i++) {
        generated.stream(random, account, String.format("stream-%03d", i), maxViewersPerStream);
      }
    }
    generated.events.sort(Comparator.comparing(p -> p.event().occurredAt()));
    return generated;
  }

  /** Every distinct event, in time order. */
  public List<Published> events() {
    return Collections.unmodifiableList(events);
  }

  public Instant dayStart() {
    return dayStart;
  }

  /**
   * What a broker would deliver: every event, {@code duplicateShare} of them twice (the copy
   * identical, id included), all in a random order (so leaves come before joins, ends before
   * starts, and so on).
   */
  public List<Published> deliveries(long seed, double duplicateShare) {
    Random random = new Random(seed);
    List<Published> out = new ArrayList<>(events);
    for (Published p : events) {
      if (random.nextDouble() < duplicateShare) {
        out.add(p);
      }
    }
    Collections.shuffle(out, random);
    return out;
  }

  private record Pending(Instant at, String topic, LongFunction<BeamlineEvent> build) {}

  private void stream(Random r, String account, String name, int maxViewers) {
    String streamId = account + "/" + name;
    String cluster = CLUSTERS[r.nextInt(CLUSTERS.length)];
    // Live for 10-60 minutes somewhere in the day; one stream in 20 is still live at the end.
    Instant t0 = dayStart.plusSeconds(600 + r.nextInt(22 * 3600));
    boolean stillLive = r.nextInt(20) == 0;
    Instant t1 =
        stillLive
            ? dayStart.plus(Duration.ofHours(23)).plusSeconds(50 * 60)
            : t0.plusSeconds(600 + r.nextInt(3000));
    if (stillLive && t0.isAfter(t1.minusSeconds(600))) {
      t0 = t1.minusSeconds(3600);
    }
    final Instant start = t0;
    final Instant end = t1;
    boolean record = r.nextBoolean();
    boolean restream = r.nextInt(10) < 3;
    String publisherCountry = COUNTRIES[r.nextInt(COUNTRIES.length)];
    List<Pending> pending = new ArrayList<>();
    String feedId = "f-" + account + "-" + name;
    long tokenId = 1000 + r.nextInt(9000);
    Protocol ingest = r.nextBoolean() ? Protocol.RTMP : Protocol.SRT;
    pending.add(
        new Pending(
            start,
            "feed-started",
            seq ->
                new FeedStartedEvent(
                    id(r),
                    account,
                    start,
                    streamId,
                    name,
                    seq,
                    cluster,
                    feedId,
                    tokenId,
                    "main",
                    100,
                    null,
                    List.of(),
                    cluster + "-mn-1",
                    ingest,
                    publisherCountry,
                    record,
                    true)));
    pending.add(
        new Pending(
            start.plusMillis(1),
            "stream-started",
            seq ->
                new StreamStartedEvent(
                    id(r),
                    account,
                    start.plusMillis(1),
                    streamId,
                    name,
                    seq,
                    cluster,
                    tokenId,
                    feedId,
                    cluster + "-mn-1",
                    false)));
    long mainBytes = 1_000_000L + r.nextInt(50_000_000);
    if (!stillLive) {
      long duration = Duration.between(start, end).toSeconds();
      pending.add(
          new Pending(
              end,
              "feed-ended",
              seq ->
                  new FeedEndedEvent(
                      id(r),
                      account,
                      end,
                      streamId,
                      name,
                      seq,
                      cluster,
                      feedId,
                      tokenId,
                      "main",
                      100,
                      null,
                      cluster + "-mn-1",
                      start,
                      duration,
                      mainBytes,
                      "publisher-disconnected")));
      pending.add(
          new Pending(
              end.plusMillis(1),
              "stream-ended",
              seq ->
                  new StreamEndedEvent(
                      id(r),
                      account,
                      end.plusMillis(1),
                      streamId,
                      name,
                      seq,
                      cluster,
                      start,
                      duration,
                      mainBytes,
                      "publisher-disconnected")));
    }
    // A backup feed for one stream in five, with a failover switch when it ends.
    if (r.nextInt(5) == 0) {
      String backupId = feedId + "-b";
      Instant b0 = start.plusSeconds(30);
      Instant b1 = b0.plusSeconds(60 + r.nextInt(400));
      String backupCountry = COUNTRIES[r.nextInt(COUNTRIES.length)];
      long backupBytes = 100_000L + r.nextInt(5_000_000);
      pending.add(
          new Pending(
              b0,
              "feed-started",
              seq ->
                  new FeedStartedEvent(
                      id(r),
                      account,
                      b0,
                      streamId,
                      name,
                      seq,
                      cluster,
                      backupId,
                      tokenId,
                      "main",
                      50,
                      null,
                      List.of(),
                      cluster + "-mn-2",
                      Protocol.SRT,
                      backupCountry,
                      false,
                      true)));
      pending.add(
          new Pending(
              b1,
              "feed-ended",
              seq ->
                  new FeedEndedEvent(
                      id(r),
                      account,
                      b1,
                      streamId,
                      name,
                      seq,
                      cluster,
                      backupId,
                      tokenId,
                      "main",
                      50,
                      null,
                      cluster + "-mn-2",
                      b0,
                      Duration.between(b0, b1).toSeconds(),
                      backupBytes,
                      "replaced")));
      pending.add(
          new Pending(
              b1.plusMillis(2),
              "source-switched",
              seq ->
                  new SourceSwitchedEvent(
                      id(r),
                      account,
                      b1.plusMillis(2),
                      streamId,
                      name,
                      seq,
                      cluster,
                      backupId,
                      feedId,
                      "main",
                      "main",
                      50,
                      100,
                      "recovered")));
    }
    if (r.nextInt(10) == 0) {
      Instant f = start.minusSeconds(20);
      String country = COUNTRIES[r.nextInt(COUNTRIES.length)];
      pending.add(
          new Pending(
              f,
              "publisher-failed",
              seq ->
                  new PublisherFailedEvent(
                      id(r),
                      account,
                      f,
                      streamId,
                      name,
                      seq,
                      cluster,
                      null,
                      null,
                      null,
                      null,
                      Protocol.RTMP,
                      country,
                      "unauthorized")));
    }
    // Audience sessions.
    List<Instant[]> sessions = new ArrayList<>();
    int viewers = r.nextInt(maxViewers + 1);
    long liveSeconds = Duration.between(start, end).toSeconds();
    for (int v = 0; v < viewers; v++) {
      Instant joined = start.plusSeconds(5 + r.nextInt((int) Math.max(1, liveSeconds - 20)));
      long maxWatch = Math.max(1, Duration.between(joined, end).toSeconds() - 1);
      boolean staysOn = stillLive && r.nextInt(3) == 0;
      Instant left = staysOn ? null : joined.plusSeconds(1 + r.nextLong(maxWatch));
      sessions.add(new Instant[] {joined, left});
      session(r, pending, account, streamId, name, cluster, joined, left, false);
    }
    // The recording worker reads the stream as an internal reader: never audience.
    if (record) {
      Instant joined = start.plusSeconds(2);
      session(r, pending, account, streamId, name, cluster, joined, stillLive ? null : end, true);
      String recordingId = "rec-" + account + "-" + name;
      pending.add(
          new Pending(
              joined,
              "recording-started",
              seq ->
                  new RecordingStartedEvent(
                      id(r),
                      account,
                      joined,
                      recordingId,
                      streamId,
                      name,
                      tokenId,
                      null,
                      feedId,
                      "recordings",
                      recordingId + ".mp4")));
      if (!stillLive) {
        Instant done = end.plusSeconds(5);
        boolean fails = r.nextInt(10) == 0;
        long size = 10_000_000L + r.nextInt(100_000_000);
        pending.add(
            new Pending(
                done,
                fails ? "recording-failed" : "recording-completed",
                seq ->
                    fails
                        ? new RecordingFailedEvent(
                            id(r),
                            account,
                            done,
                            recordingId,
                            streamId,
                            name,
                            tokenId,
                            null,
                            "recordings",
                            recordingId + ".mp4",
                            "upload-failed: test")
                        : new RecordingCompletedEvent(
                            id(r),
                            account,
                            done,
                            recordingId,
                            streamId,
                            name,
                            tokenId,
                            null,
                            "recordings",
                            recordingId + ".mp4",
                            "mp4",
                            joined,
                            Duration.between(joined, end).toSeconds(),
                            size)));
      }
    }
    if (restream) {
      Instant rs = start.plusSeconds(3);
      String jobId = "job-" + account + "-" + name;
      pending.add(
          new Pending(
              rs,
              "restream-started",
              seq ->
                  new RestreamStartedEvent(
                      id(r),
                      account,
                      rs,
                      jobId,
                      "t-1",
                      streamId,
                      name,
                      tokenId,
                      "yt",
                      "rtmp://a.example/live/****",
                      1)));
      if (r.nextInt(4) == 0) {
        Instant rf = rs.plusSeconds(1);
        pending.add(
            new Pending(
                rf,
                "restream-failed",
                seq ->
                    new RestreamFailedEvent(
                        id(r),
                        account,
                        rf,
                        jobId,
                        "t-1",
                        streamId,
                        name,
                        tokenId,
                        "yt",
                        "rtmp://a.example/live/****",
                        1,
                        true,
                        "connection-refused")));
      }
      if (!stillLive) {
        Instant re = end.plusSeconds(1);
        long bytes = 500_000L + r.nextInt(20_000_000);
        pending.add(
            new Pending(
                re,
                "restream-stopped",
                seq ->
                    new RestreamStoppedEvent(
                        id(r),
                        account,
                        re,
                        jobId,
                        "t-1",
                        streamId,
                        name,
                        tokenId,
                        "yt",
                        "rtmp://a.example/live/****",
                        2,
                        "stream-ended",
                        Duration.between(rs, end).toSeconds(),
                        bytes)));
      }
    }
    // Stats every minute: traffic of the interval, audience at its end.
    Instant minute = start.truncatedTo(ChronoUnit.MINUTES).plusSeconds(60);
    while (!minute.plusSeconds(60).isAfter(end)) {
      Instant intervalStart = minute;
      Instant intervalEnd = minute.plusSeconds(60);
      int concurrent = 0;
      for (Instant[] s : sessions) {
        if (!s[0].isAfter(intervalEnd) && (s[1] == null || s[1].isAfter(intervalEnd))) {
          concurrent++;
        }
      }
      int viewersAtEnd = concurrent;
      long in = 1_000_000L + r.nextInt(40_000_000);
      long out = (long) viewersAtEnd * (1_000_000L + r.nextInt(30_000_000));
      pending.add(
          new Pending(
              intervalEnd,
              "stream-stats",
              seq ->
                  new StreamStatsEvent(
                      id(r),
                      account,
                      intervalEnd,
                      streamId,
                      name,
                      seq,
                      cluster,
                      intervalStart,
                      intervalEnd,
                      in,
                      out,
                      viewersAtEnd,
                      List.of())));
      minute = intervalEnd;
    }
    // Sequence numbers follow time within the stream, shared by every stream-service topic.
    pending.sort(Comparator.comparing(Pending::at));
    long seq = 0;
    for (Pending p : pending) {
      boolean streamServiceTopic =
          EventCatalog.forTopic(p.topic()).producer().equals(EventCatalog.STREAM_SERVICE);
      events.add(new Published(p.topic(), p.build().apply(streamServiceTopic ? ++seq : 0)));
    }
  }

  private static void session(
      Random r,
      List<Pending> pending,
      String account,
      String streamId,
      String name,
      String cluster,
      Instant joined,
      Instant left,
      boolean internal) {
    String sessionId = "vs-" + UUID.nameUUIDFromBytes(longBytes(r.nextLong()));
    String tracking = internal ? null : TRACKING[r.nextInt(TRACKING.length)];
    String country = internal ? null : COUNTRIES[r.nextInt(COUNTRIES.length)];
    Protocol protocol = internal ? Protocol.RTMP : PROTOCOLS[r.nextInt(PROTOCOLS.length)];
    Long token = tracking == null ? null : 2000L + r.nextInt(100);
    pending.add(
        new Pending(
            joined,
            "viewer-joined",
            seq ->
                new ViewerJoinedEvent(
                    id(r),
                    account,
                    joined,
                    streamId,
                    name,
                    seq,
                    cluster,
                    sessionId,
                    token,
                    tracking,
                    country,
                    protocol,
                    cluster + "-mn-1",
                    internal)));
    if (left != null) {
      long watched = Duration.between(joined, left).toSeconds();
      long bytes = watched * (50_000L + r.nextInt(500_000));
      pending.add(
          new Pending(
              left,
              "viewer-left",
              seq ->
                  new ViewerLeftEvent(
                      id(r),
                      account,
                      left,
                      streamId,
                      name,
                      seq,
                      cluster,
                      sessionId,
                      token,
                      tracking,
                      country,
                      protocol,
                      cluster + "-mn-1",
                      internal,
                      joined,
                      watched,
                      bytes)));
    }
  }

  private static UUID id(Random r) {
    return new UUID(r.nextLong(), r.nextLong());
  }

  private static byte[] longBytes(long value) {
    return java.nio.ByteBuffer.allocate(8).putLong(value).array();
  }
}
