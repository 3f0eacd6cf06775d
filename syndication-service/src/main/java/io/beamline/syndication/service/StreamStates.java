package io.beamline.syndication.service;

import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.StreamEndedEvent;
import io.beamline.events.stream.StreamStartedEvent;
import io.beamline.syndication.StreamState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps {@link StreamState} in step with the stream events. The topics are read independently, so
 * one stream's events may arrive out of order across topics; the per-stream {@code sequence} tells
 * a stale start or end from a current one.
 */
@ApplicationScoped
public class StreamStates {

  private final EntityManager em;
  private final RestreamPlanner planner;

  public StreamStates(EntityManager em, RestreamPlanner planner) {
    this.em = em;
    this.planner = planner;
  }

  /** The publish token whose targets apply to {@code streamId}, if known. */
  @Transactional
  public Optional<Long> tokenOf(String streamId) {
    StreamState s = em.find(StreamState.class, streamId);
    return Optional.ofNullable(s == null ? null : s.tokenId);
  }

  /** Live streams restreamed with the targets of publish token {@code tokenId}. */
  @Transactional
  public List<String> liveStreamsOfToken(long tokenId, String accountId) {
    return em.createQuery(
            "select s.streamId from StreamState s where s.live and s.tokenId = :token"
                + " and s.accountId = :account",
            String.class)
        .setParameter("token", tokenId)
        .setParameter("account", accountId)
        .getResultList();
  }

  /**
   * The stream went live; inside the caller's transaction.
   *
   * @return whether the event is current (not older than an end already applied)
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public boolean started(int partition, StreamStartedEvent e) {
    StreamState s = lock(partition, e.streamId(), e.accountId(), e.streamName());
    if (e.sequence() < s.endSequence) {
      return false;
    }
    if (!s.live) {
      s.startedAt = e.occurredAt();
      s.restream = false; // a new session: its feeds say again whether it may be restreamed
    }
    s.live = true;
    s.tokenId = e.tokenId();
    s.liveSequence = Math.max(s.liveSequence, e.sequence());
    s.endedAt = null;
    s.updatedAt = Instant.now();
    return true;
  }

  /**
   * A feed started; a feed that may be restreamed makes the stream restreamable. Inside the
   * caller's transaction.
   *
   * @return whether the event is current
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public boolean feedStarted(int partition, FeedStartedEvent e) {
    StreamState s = lock(partition, e.streamId(), e.accountId(), e.streamName());
    if (e.sequence() < s.endSequence) {
      return false;
    }
    if (!s.live) {
      // The feed's stream-started may still be on its way (another topic); the feed proves it.
      s.live = true;
      s.startedAt = e.occurredAt();
      s.endedAt = null;
      s.restream = false;
    }
    if (s.tokenId == null) {
      s.tokenId = e.tokenId();
    }
    s.restream = s.restream || e.restream();
    s.liveSequence = Math.max(s.liveSequence, e.sequence());
    s.updatedAt = Instant.now();
    return true;
  }

  /** The stream ended: every job of it stops. Inside the caller's transaction. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void ended(int partition, StreamEndedEvent e) {
    StreamState s = lock(partition, e.streamId(), e.accountId(), e.streamName());
    s.endSequence = Math.max(s.endSequence, e.sequence());
    if (e.sequence() < s.liveSequence) {
      return; // an older session's end, read after the new session's start
    }
    s.live = false;
    s.restream = false;
    s.endedAt = e.occurredAt();
    s.updatedAt = Instant.now();
    planner.stopAll(e.streamId(), "stream-ended");
  }

  private StreamState lock(int partition, String streamId, String accountId, String streamName) {
    StreamState s = em.find(StreamState.class, streamId, LockModeType.PESSIMISTIC_WRITE);
    if (s == null) {
      // Two consumers cannot race here: one partition, one thread.
      s = new StreamState();
      s.streamId = streamId;
      s.accountId = accountId;
      s.streamName = streamName;
      s.partition = partition;
      s.updatedAt = Instant.now();
      em.persist(s);
    }
    s.partition = partition;
    return s;
  }
}
