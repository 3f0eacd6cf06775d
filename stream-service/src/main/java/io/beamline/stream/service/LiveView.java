package io.beamline.stream.service;

import io.beamline.stream.Feed;
import io.beamline.stream.LiveStream;
import io.beamline.stream.config.StreamConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a viewer join needs to know about a stream (whether it is live, its publish token, its live
 * feeds in serving order), kept in memory so that a crowd of joins does not query it each time.
 *
 * <p>Every lifecycle transaction that changes a stream's state or its feeds calls {@link #changed}:
 * the stream is forgotten at once and again after the transaction completed, and a load that ran
 * across such a change is not kept. So this instance sees its own changes as soon as they are
 * committed (a failover serves the backup from the next join on). Changes made by another instance
 * of the service are seen within {@code beamline.stream.live-view-ttl}.
 */
@ApplicationScoped
public class LiveView {

  /** A stream as joins see it: its state and publish token, and its live feeds best first. */
  public record Snapshot(String state, Long tokenId, List<Feed> liveFeeds, long loadedAt) {

    /** The publish token of a live stream, else null. */
    public Long publishTokenIfLive() {
      return LiveStream.LIVE.equals(state) ? tokenId : null;
    }
  }

  private final EntityManager em;
  private final TransactionSynchronizationRegistry transactions;
  private final long ttlNanos;
  private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();

  public LiveView(
      EntityManager em, TransactionSynchronizationRegistry transactions, StreamConfig config) {
    this.em = em;
    this.transactions = transactions;
    this.ttlNanos = config.liveViewTtl().toNanos();
  }

  /** The stream as of its latest committed change (loaded when not known or too old). */
  public Snapshot of(String streamId) {
    Snapshot known = snapshots.get(streamId);
    long now = System.nanoTime();
    if (known != null && now - known.loadedAt() < ttlNanos) {
      return known;
    }
    long before = generation.get();
    // Inside a caller's transaction the read may see its uncommitted changes: never kept then.
    boolean shareable = transactions.getTransactionStatus() == Status.STATUS_NO_TRANSACTION;
    Snapshot loaded = QuarkusTransaction.joiningExisting().call(() -> load(streamId, now));
    // A change that completed while loading may not be in what was read: not kept either.
    if (shareable && generation.get() == before && ttlNanos > 0) {
      snapshots.put(streamId, loaded);
    }
    return loaded;
  }

  /**
   * The stream as this instance already knows it, when that is recent enough; null when it would
   * have to be loaded (callers that must not block then take the blocking path).
   */
  public Snapshot cached(String streamId) {
    Snapshot known = snapshots.get(streamId);
    return known != null && System.nanoTime() - known.loadedAt() < ttlNanos ? known : null;
  }

  /** The feed a source of the stream is served (see {@link StreamLifecycle#servedFeed}). */
  public Optional<Feed> servedFeed(String streamId, String sourceId) {
    return StreamLifecycle.servedFeed(of(streamId).liveFeeds(), sourceId);
  }

  /**
   * The stream changes in the current transaction: forgotten now and once more when the transaction
   * ends (committed or not), so nothing read before the commit outlives it.
   */
  public void changed(String streamId) {
    forget(streamId);
    if (transactions.getTransactionStatus() == Status.STATUS_ACTIVE) {
      transactions.registerInterposedSynchronization(
          new Synchronization() {
            @Override
            public void beforeCompletion() {}

            @Override
            public void afterCompletion(int status) {
              forget(streamId);
            }
          });
    }
  }

  private void forget(String streamId) {
    generation.incrementAndGet();
    snapshots.remove(streamId);
  }

  private Snapshot load(String streamId, long now) {
    LiveStream stream = em.find(LiveStream.class, streamId);
    List<Feed> feeds =
        em.createQuery(
                "from Feed where streamId = ?1 and state = 'live'"
                    + " order by priority desc nulls last, startedAt desc",
                Feed.class)
            .setParameter(1, streamId)
            .getResultList();
    return new Snapshot(
        stream == null ? null : stream.state,
        stream == null ? null : stream.tokenId,
        List.copyOf(feeds),
        now);
  }
}
