package io.beamline.analytics.generator;

import io.beamline.events.BeamlineEvent;
import io.beamline.events.StreamScoped;
import io.beamline.events.recording.RecordingCompletedEvent;
import io.beamline.events.recording.RecordingFailedEvent;
import io.beamline.events.recording.RecordingStartedEvent;
import io.beamline.events.restream.RestreamFailedEvent;
import io.beamline.events.restream.RestreamStartedEvent;
import io.beamline.events.restream.RestreamStoppedEvent;
import io.beamline.events.stream.FeedEndedEvent;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.PublisherFailedEvent;
import io.beamline.events.stream.SourceSwitchedEvent;
import io.beamline.events.stream.StreamEndedEvent;
import io.beamline.events.stream.StreamStartedEvent;
import io.beamline.events.stream.StreamStatsEvent;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What the analytics answers must be, computed straight from the generated (distinct) events with
 * plain loops, without any of the service's code.
 */
public final class Expected {

  /** Totals of a set of events. */
  public static final class Tally {
    public long bytesIn;
    public long statsBytesOut;
    public long restreamBytesOut;
    public long restreamSeconds;
    public long restreamsStarted;
    public long restreamsFailed;
    public long sessions;
    public long sessionsEnded;
    public long viewSeconds;
    public long sessionBytesOut;
    public long streamsStarted;
    public long feeds;
    public long publishSeconds;
    public long feedBytesIn;
    public long publisherFailures;
    public long sourceSwitches;
    public long recordingsStarted;
    public long recordingsCompleted;
    public long recordingsFailed;
    public long recordingSeconds;
    public long recordingBytes;

    public long bytesOut() {
      return statsBytesOut + restreamBytesOut;
    }
  }

  private final List<BeamlineEvent> events;
  private final Map<String, FeedStartedEvent> feedStarts = new HashMap<>();
  private final Map<String, FeedEndedEvent> feedEnds = new HashMap<>();

  public Expected(List<SyntheticDay.Published> published) {
    this.events = published.stream().map(SyntheticDay.Published::event).toList();
    for (BeamlineEvent e : events) {
      if (e instanceof FeedStartedEvent f) {
        feedStarts.put(f.accountId() + "/" + f.feedId(), f);
      } else if (e instanceof FeedEndedEvent f) {
        feedEnds.put(f.accountId() + "/" + f.feedId(), f);
      }
    }
  }

  /** Totals of the events of {@code account} (and {@code stream} when not null). */
  public Tally tally(String account, String stream) {
    return tally(
        e ->
            e.accountId().equals(account)
                && (stream == null || ((StreamScoped) e).streamName().equals(stream)));
  }

  /** Totals of the events {@code filter} keeps (feed publish time goes with its feed-ended). */
  public Tally tally(Predicate<BeamlineEvent> filter) {
    Tally t = new Tally();
    for (BeamlineEvent e : events) {
      if (!filter.test(e)) {
        continue;
      }
      if (e instanceof StreamStatsEvent s) {
        t.bytesIn += s.bytesIn();
        t.statsBytesOut += s.bytesOut();
      } else if (e instanceof ViewerJoinedEvent v && !v.internalReader()) {
        t.sessions++;
      } else if (e instanceof ViewerLeftEvent v && !v.internalReader()) {
        t.sessionsEnded++;
        t.viewSeconds += v.watchedSeconds();
        t.sessionBytesOut += v.bytesOut();
      } else if (e instanceof StreamStartedEvent) {
        t.streamsStarted++;
      } else if (e instanceof FeedStartedEvent) {
        t.feeds++;
      } else if (e instanceof FeedEndedEvent f) {
        if (feedStarts.containsKey(f.accountId() + "/" + f.feedId())) {
          t.publishSeconds += f.durationSeconds();
          t.feedBytesIn += f.bytesIn();
        }
      } else if (e instanceof PublisherFailedEvent) {
        t.publisherFailures++;
      } else if (e instanceof SourceSwitchedEvent) {
        t.sourceSwitches++;
      } else if (e instanceof RecordingStartedEvent) {
        t.recordingsStarted++;
      } else if (e instanceof RecordingCompletedEvent r) {
        t.recordingsCompleted++;
        t.recordingSeconds += r.durationSeconds();
        t.recordingBytes += r.sizeBytes();
      } else if (e instanceof RecordingFailedEvent) {
        t.recordingsFailed++;
      } else if (e instanceof RestreamStartedEvent) {
        t.restreamsStarted++;
      } else if (e instanceof RestreamFailedEvent) {
        t.restreamsFailed++;
      } else if (e instanceof RestreamStoppedEvent r) {
        t.restreamSeconds += r.durationSeconds();
        t.restreamBytesOut += r.bytesOut();
      }
    }
    return t;
  }

  /** The most viewers of {@code account} (one stream when not null) at any stats instant. */
  public long peak(String account, String stream, Predicate<Instant> intervalStartFilter) {
    Map<Instant, Long> sums = new HashMap<>();
    for (BeamlineEvent e : events) {
      if (e instanceof StreamStatsEvent s
          && s.accountId().equals(account)
          && (stream == null || s.streamName().equals(stream))
          && intervalStartFilter.test(s.intervalStart())) {
        sums.merge(s.intervalEnd(), (long) s.viewers(), Long::sum);
      }
    }
    return sums.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /** Streams of {@code account} live at the end: their newest start/end event is a start. */
  public Set<String> liveStreams(String account) {
    Map<String, StreamScoped> newest = new HashMap<>();
    Map<String, Long> seq = new HashMap<>();
    for (BeamlineEvent e : events) {
      long s =
          e instanceof StreamStartedEvent st
              ? st.sequence()
              : e instanceof StreamEndedEvent en ? en.sequence() : -1;
      if (s >= 0 && e.accountId().equals(account)) {
        String name = ((StreamScoped) e).streamName();
        if (s > seq.getOrDefault(name, -1L)) {
          seq.put(name, s);
          newest.put(name, (StreamScoped) e);
        }
      }
    }
    Set<String> live = new HashSet<>();
    newest.forEach(
        (name, e) -> {
          if (e instanceof StreamStartedEvent) {
            live.add(name);
          }
        });
    return live;
  }

  /** Audience sessions per stream of {@code account} that joined and never left. */
  public Map<String, Long> watchingNow(String account) {
    Set<String> left = new HashSet<>();
    for (BeamlineEvent e : events) {
      if (e instanceof ViewerLeftEvent v) {
        left.add(v.viewerSessionId());
      }
    }
    Map<String, Long> now = new TreeMap<>();
    for (BeamlineEvent e : events) {
      if (e instanceof ViewerJoinedEvent v
          && v.accountId().equals(account)
          && !v.internalReader()
          && !left.contains(v.viewerSessionId())) {
        now.merge(v.streamName(), 1L, Long::sum);
      }
    }
    return now;
  }

  /** Per key of the viewer events of {@code account} that {@code key} maps (null = skipped). */
  public Map<String, Tally> viewersBy(
      String account, Function<BeamlineEvent, String> key, Predicate<BeamlineEvent> filter) {
    Map<String, Tally> by = new TreeMap<>();
    for (BeamlineEvent e : events) {
      if (!e.accountId().equals(account) || !filter.test(e)) {
        continue;
      }
      String k = key.apply(e);
      if (k == null) {
        continue;
      }
      Tally t = by.computeIfAbsent(k, x -> new Tally());
      if (e instanceof ViewerJoinedEvent v && !v.internalReader()) {
        t.sessions++;
      } else if (e instanceof ViewerLeftEvent v && !v.internalReader()) {
        t.sessionsEnded++;
        t.viewSeconds += v.watchedSeconds();
        t.sessionBytesOut += v.bytesOut();
      }
    }
    return by;
  }

  /** Per publisher country of {@code account}: feed bytes in and publish seconds. */
  public Map<String, Tally> publishingByCountry(String account) {
    Map<String, Tally> by = new TreeMap<>();
    feedEnds.forEach(
        (key, end) -> {
          FeedStartedEvent start = feedStarts.get(key);
          if (start != null && end.accountId().equals(account)) {
            Tally t = by.computeIfAbsent(country(start.clientCountry()), x -> new Tally());
            t.publishSeconds += end.durationSeconds();
            t.feedBytesIn += end.bytesIn();
          }
        });
    return by;
  }

  /** Distinct feeds of {@code account}, and how many of them never ended. */
  public long[] feeds(String account) {
    Set<String> all = new HashSet<>();
    feedStarts.keySet().stream().filter(k -> k.startsWith(account + "/")).forEach(all::add);
    feedEnds.keySet().stream().filter(k -> k.startsWith(account + "/")).forEach(all::add);
    long active =
        feedStarts.keySet().stream()
            .filter(k -> k.startsWith(account + "/") && !feedEnds.containsKey(k))
            .count();
    return new long[] {all.size(), active};
  }

  /** The country key of geo answers. */
  public static String country(String country) {
    return country == null ? "unknown" : country;
  }

  public List<BeamlineEvent> events() {
    return events;
  }
}
