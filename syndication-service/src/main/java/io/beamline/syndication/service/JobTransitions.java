package io.beamline.syndication.service;

import io.beamline.events.Topics;
import io.beamline.events.restream.RestreamFailedEvent;
import io.beamline.events.restream.RestreamStartedEvent;
import io.beamline.events.restream.RestreamStoppedEvent;
import io.beamline.platform.outbox.OutboxWriter;
import io.beamline.syndication.RestreamJob;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Moves restream jobs through their states, each change with its event in one transaction. A job
 * row is locked for every change, and a stopped or failed job never changes again, so a worker
 * racing a stop cannot bring a job back.
 */
@ApplicationScoped
public class JobTransitions {

  private static final int MAX_ERROR = 500;

  private final EntityManager em;
  private final OutboxWriter outbox;
  private final MeterRegistry metrics;

  public JobTransitions(EntityManager em, OutboxWriter outbox, MeterRegistry metrics) {
    this.em = em;
    this.outbox = outbox;
    this.metrics = metrics;
  }

  /** Counts entries into {@code state} ({@code beamline_restream_transitions_total}). */
  private void count(String state) {
    metrics.counter("beamline.restream.transitions", "state", state).increment();
  }

  /** A copy of the job, for a worker to read its target from. */
  @Transactional
  public Optional<RestreamJob> find(UUID jobId) {
    RestreamJob job = em.find(RestreamJob.class, jobId);
    if (job != null) {
      em.detach(job);
    }
    return Optional.ofNullable(job);
  }

  /**
   * Attempt {@code attempt} begins; false when the job is over or no longer owned by {@code owner}
   * (the worker must then quit).
   */
  @Transactional
  public boolean connecting(UUID jobId, String owner, int attempt) {
    RestreamJob job = lockActive(jobId, owner);
    if (job == null) {
      return false;
    }
    job.state = RestreamJob.CONNECTING;
    job.attempt = attempt;
    job.updatedAt = Instant.now();
    return true;
  }

  /** The target accepts media: {@code live}, with {@code restream-started}. */
  @Transactional
  public boolean live(UUID jobId, String owner, int attempt) {
    RestreamJob job = lockActive(jobId, owner);
    if (job == null) {
      return false;
    }
    Instant now = Instant.now();
    job.state = RestreamJob.LIVE;
    count(job.state);
    job.attempt = attempt;
    job.liveAt = now;
    job.lastError = null;
    job.updatedAt = now;
    outbox.append(
        Topics.RESTREAM_STARTED,
        job.streamId,
        new RestreamStartedEvent(
            UUID.randomUUID(),
            job.accountId,
            now,
            job.id.toString(),
            job.targetId,
            job.streamId,
            job.streamName,
            job.tokenId,
            job.label,
            TargetUrls.redacted(job.url),
            attempt));
    return true;
  }

  /**
   * Attempt {@code attempt} failed: {@code retrying} (the worker waits and tries again) or, when
   * {@code retrying} is false, {@code failed}; either way with {@code restream-failed}.
   */
  @Transactional
  public boolean failed(
      UUID jobId,
      String owner,
      int attempt,
      boolean retrying,
      String reason,
      String detail,
      long bytesOut,
      long pushedMs) {
    RestreamJob job = lockActive(jobId, owner);
    if (job == null) {
      return false;
    }
    Instant now = Instant.now();
    job.state = retrying ? RestreamJob.RETRYING : RestreamJob.FAILED;
    count(job.state);
    job.attempt = attempt;
    job.lastError = truncate(detail == null ? reason : reason + ": " + detail);
    job.bytesOut = Math.max(job.bytesOut, bytesOut);
    job.pushedMs = Math.max(job.pushedMs, pushedMs);
    job.updatedAt = now;
    if (!retrying) {
      job.endedAt = now;
      job.owner = null;
      job.leaseUntil = null;
    }
    outbox.append(
        Topics.RESTREAM_FAILED,
        job.streamId,
        new RestreamFailedEvent(
            UUID.randomUUID(),
            job.accountId,
            now,
            job.id.toString(),
            job.targetId,
            job.streamId,
            job.streamName,
            job.tokenId,
            job.label,
            TargetUrls.redacted(job.url),
            attempt,
            retrying,
            reason));
    return true;
  }

  /** Counters of a running push; no event. */
  @Transactional
  public void progress(UUID jobId, long bytesOut, long pushedMs) {
    em.createQuery(
            "update RestreamJob j set j.bytesOut = greatest(j.bytesOut, :bytes),"
                + " j.pushedMs = greatest(j.pushedMs, :pushed) where j.id = :id")
        .setParameter("bytes", bytesOut)
        .setParameter("pushed", pushedMs)
        .setParameter("id", jobId)
        .executeUpdate();
  }

  /**
   * Stops an active job with {@code restream-stopped}; must run inside the caller's transaction
   * with the row locked (see {@link RestreamPlanner}).
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void stop(RestreamJob job, String reason, long bytesOut, long pushedMs) {
    Instant now = Instant.now();
    job.state = RestreamJob.STOPPED;
    count(job.state);
    job.stopReason = reason;
    job.bytesOut = Math.max(job.bytesOut, bytesOut);
    job.pushedMs = Math.max(job.pushedMs, pushedMs);
    job.endedAt = now;
    job.owner = null;
    job.leaseUntil = null;
    job.updatedAt = now;
    outbox.append(
        Topics.RESTREAM_STOPPED,
        job.streamId,
        new RestreamStoppedEvent(
            UUID.randomUUID(),
            job.accountId,
            now,
            job.id.toString(),
            job.targetId,
            job.streamId,
            job.streamName,
            job.tokenId,
            job.label,
            TargetUrls.redacted(job.url),
            job.attempt,
            reason,
            Duration.ofMillis(job.pushedMs).toSeconds(),
            job.bytesOut));
  }

  private RestreamJob lockActive(UUID jobId, String owner) {
    RestreamJob job = em.find(RestreamJob.class, jobId, LockModeType.PESSIMISTIC_WRITE);
    if (job == null || !job.active() || (owner != null && !owner.equals(job.owner))) {
      return null;
    }
    return job;
  }

  private static String truncate(String text) {
    return text == null || text.length() <= MAX_ERROR ? text : text.substring(0, MAX_ERROR);
  }
}
