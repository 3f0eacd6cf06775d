package io.beamline.syndication.service;

import io.beamline.syndication.RestreamJob;
import io.beamline.syndication.StreamState;
import io.beamline.syndication.StreamTarget;
import io.beamline.syndication.config.SyndicationConfig;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Decides which restream jobs a stream should have: one active job per enabled target of the
 * stream's publish token and of the stream itself while the stream is live. Applying the plan
 * creates the missing jobs and stops the ones whose target went away, each stop with its event; the
 * instance owning the stream's partition then starts or kills the ffmpeg processes.
 */
@ApplicationScoped
public class RestreamPlanner {

  private final EntityManager em;
  private final PlatformClients clients;
  private final JobTransitions transitions;
  private final JobRunner runner;
  private final SyndicationConfig config;
  private final TargetKeys keys;

  public RestreamPlanner(
      EntityManager em,
      PlatformClients clients,
      JobTransitions transitions,
      JobRunner runner,
      SyndicationConfig config,
      TargetKeys keys) {
    this.keys = keys;
    this.em = em;
    this.clients = clients;
    this.transitions = transitions;
    this.runner = runner;
    this.config = config;
  }

  /**
   * The targets of a publish token as token-service has them now: enabled ones as specs, and the
   * ids of the disabled ones; {@code null} when token-service cannot answer (jobs of token targets
   * are then left as they are).
   */
  public TokenTargets fetchTokenTargets(Long tokenId, String accountId) {
    if (tokenId == null) {
      return new TokenTargets(List.of(), Set.of());
    }
    try {
      List<TargetSpec> enabled = new java.util.ArrayList<>();
      Set<String> disabled = new HashSet<>();
      for (PlatformClients.TokenTarget t : clients.tokenTargets(tokenId, accountId)) {
        if (t.url() == null || t.key() == null) {
          continue;
        }
        TargetSpec spec = TargetSpec.ofTokenTarget(tokenId, t.url(), t.key(), t.label());
        if (t.enabled()) {
          enabled.add(spec);
        } else {
          disabled.add(spec.targetId());
        }
      }
      return new TokenTargets(enabled, disabled);
    } catch (PlatformClients.UnavailableException e) {
      Log.warnf("restream targets of token %d unknown for now: %s", tokenId, e.getMessage());
      return null;
    }
  }

  /**
   * A token's targets at one moment.
   *
   * @param enabled the targets to push to
   * @param disabledIds target ids present but disabled
   */
  public record TokenTargets(List<TargetSpec> enabled, Set<String> disabledIds) {}

  /** Re-applies the targets of {@code streamId} now (the sync endpoint, a target change). */
  public void sync(String streamId) {
    Optional<StreamState> stream =
        QuarkusTransaction.requiringNew()
            .call(() -> Optional.ofNullable(em.find(StreamState.class, streamId)));
    if (stream.isEmpty()) {
      return;
    }
    TokenTargets tokenTargets = fetchTokenTargets(stream.get().tokenId, stream.get().accountId);
    QuarkusTransaction.requiringNew().run(() -> apply(streamId, tokenTargets));
    runner.reconcileSoon();
  }

  /**
   * Brings the stream's active jobs in line with its targets, inside the caller's transaction.
   *
   * @param tokenTargets the token's targets, or null when unknown (token jobs are kept)
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void apply(String streamId, TokenTargets tokenTargets) {
    StreamState stream = em.find(StreamState.class, streamId, LockModeType.PESSIMISTIC_WRITE);
    if (stream == null) {
      return;
    }
    List<RestreamJob> active =
        em.createQuery(
                "from RestreamJob j where j.streamId = :stream and j.state in :active",
                RestreamJob.class)
            .setParameter("stream", streamId)
            .setParameter("active", RestreamJob.ACTIVE)
            .setLockMode(LockModeType.PESSIMISTIC_WRITE)
            .getResultList();
    if (!stream.live || !stream.restream) {
      for (RestreamJob job : active) {
        stop(job, stream.live ? "restream-disabled" : "stream-ended");
      }
      return;
    }
    Map<String, TargetSpec> desired = new LinkedHashMap<>();
    Set<String> disabled = new HashSet<>();
    for (StreamTarget t : streamTargets(stream.accountId, stream.streamName)) {
      TargetSpec spec = TargetSpec.ofStreamTarget(t.id, t.url, keys.open(t), t.label);
      if (t.enabled) {
        desired.put(spec.targetId(), spec);
      } else {
        disabled.add(spec.targetId());
      }
    }
    if (tokenTargets != null) {
      tokenTargets.enabled().forEach(spec -> desired.putIfAbsent(spec.targetId(), spec));
      disabled.addAll(tokenTargets.disabledIds());
    }
    Set<String> covered = new HashSet<>();
    for (RestreamJob job : active) {
      TargetSpec spec = desired.get(job.targetId);
      boolean tokenJob = job.tokenId != null;
      if (spec == null) {
        if (tokenJob && tokenTargets == null && job.tokenId.equals(stream.tokenId)) {
          covered.add(job.targetId);
          continue; // token-service unreachable: leave the token's jobs alone
        }
        stop(job, disabled.contains(job.targetId) ? "target-disabled" : "target-removed");
      } else if (!spec.url().equals(job.url) || !spec.key().equals(keys.open(job))) {
        stop(job, "target-changed");
      } else {
        covered.add(job.targetId);
        job.label = spec.label();
      }
    }
    Instant now = Instant.now();
    for (TargetSpec spec : desired.values()) {
      if (covered.contains(spec.targetId())) {
        continue;
      }
      RestreamJob job = new RestreamJob();
      job.id = UUID.randomUUID();
      job.accountId = stream.accountId;
      job.streamId = stream.streamId;
      job.streamName = stream.streamName;
      job.partition = stream.partition;
      job.targetId = spec.targetId();
      job.tokenId = spec.tokenId();
      job.label = spec.label();
      job.url = spec.url();
      keys.put(job, spec.key());
      job.state = RestreamJob.PENDING;
      job.attempt = 0;
      job.createdAt = now;
      job.updatedAt = now;
      if (runner.ownsPartition(stream.partition)) {
        job.owner = runner.instanceId();
        job.leaseUntil = now.plus(config.jobs().lease());
      }
      em.persist(job);
      Log.infof("restream job %s: %s for %s", job.id, spec, stream.streamId);
    }
  }

  /** Stops every active job of a stream that ended, inside the caller's transaction. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void stopAll(String streamId, String reason) {
    List<RestreamJob> active =
        em.createQuery(
                "from RestreamJob j where j.streamId = :stream and j.state in :active",
                RestreamJob.class)
            .setParameter("stream", streamId)
            .setParameter("active", RestreamJob.ACTIVE)
            .setLockMode(LockModeType.PESSIMISTIC_WRITE)
            .getResultList();
    active.forEach(job -> stop(job, reason));
  }

  private void stop(RestreamJob job, String reason) {
    JobRunner.Counters counters = runner.counters(job.id);
    transitions.stop(job, reason, counters.bytesOut(), counters.pushedMs());
    Log.infof("restream job %s stopped: %s", job.id, reason);
  }

  private List<StreamTarget> streamTargets(String accountId, String streamName) {
    return em.createQuery(
            "from StreamTarget t where t.accountId = :account and t.streamName = :stream"
                + " order by t.createdAt, t.id",
            StreamTarget.class)
        .setParameter("account", accountId)
        .setParameter("stream", streamName)
        .setMaxResults(config.maxTargetsPerStream())
        .getResultList();
  }
}
