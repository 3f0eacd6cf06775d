package io.beamline.syndication.service;

import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;

/**
 * Partners' viewer sessions (subscribe tokens with a tracking id) and the per-partner totals built
 * from them: viewers now, sessions, seconds watched and bytes, overall and per stream.
 */
@ApplicationScoped
public class PartnerSessions {

  private final EntityManager em;

  public PartnerSessions(EntityManager em) {
    this.em = em;
  }

  /** Whether a viewer event counts for a partner: tracked, and not one of our own readers. */
  public static boolean tracked(String trackingId, boolean internalReader) {
    return trackingId != null && !trackingId.isBlank() && !internalReader;
  }

  /** A tracked session started; a repeated or late join changes nothing. */
  @Transactional
  public void joined(ViewerJoinedEvent e) {
    em.createNativeQuery(
            "insert into partner_session (viewer_session_id, account_id, tracking_id, stream_name,"
                + " client_country, joined_at) values (?1, ?2, ?3, ?4, ?5, ?6)"
                + " on conflict (viewer_session_id) do update set joined_at ="
                + " coalesce(partner_session.joined_at, excluded.joined_at)")
        .setParameter(1, e.viewerSessionId())
        .setParameter(2, e.accountId())
        .setParameter(3, e.trackingId())
        .setParameter(4, e.streamName())
        .setParameter(5, e.clientCountry())
        .setParameter(6, e.occurredAt())
        .executeUpdate();
  }

  /** A tracked session ended (it may arrive before its join: the row is created then). */
  @Transactional
  public void left(ViewerLeftEvent e) {
    em.createNativeQuery(
            "insert into partner_session (viewer_session_id, account_id, tracking_id, stream_name,"
                + " client_country, joined_at, left_at, watched_seconds, bytes_out)"
                + " values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                + " on conflict (viewer_session_id) do update set left_at = excluded.left_at,"
                + " watched_seconds = excluded.watched_seconds, bytes_out = excluded.bytes_out,"
                + " joined_at = coalesce(partner_session.joined_at, excluded.joined_at)")
        .setParameter(1, e.viewerSessionId())
        .setParameter(2, e.accountId())
        .setParameter(3, e.trackingId())
        .setParameter(4, e.streamName())
        .setParameter(5, e.clientCountry())
        .setParameter(6, e.joinedAt())
        .setParameter(7, e.occurredAt())
        .setParameter(8, e.watchedSeconds())
        .setParameter(9, e.bytesOut())
        .executeUpdate();
  }

  /**
   * Totals of one partner, or of one of its streams.
   *
   * @param streamName stream; null for the partner's total
   * @param viewers sessions open now
   * @param sessions sessions seen
   * @param watchedSeconds seconds watched in ended sessions
   * @param bytesOut bytes sent in ended sessions
   * @param lastSeen latest join or leave
   */
  public record Totals(
      String streamName,
      long viewers,
      long sessions,
      long watchedSeconds,
      long bytesOut,
      Instant lastSeen) {}

  /** The partner's totals, then one per stream (most bytes first); empty list when unknown. */
  @Transactional
  public List<Totals> totals(String accountId, String trackingId) {
    String select =
        "select %s, count(*) filter (where left_at is null) as viewers, count(*) as sessions,"
            + " coalesce(sum(watched_seconds), 0) as watched, coalesce(sum(bytes_out), 0) as bytes,"
            + " max(greatest(joined_at, left_at)) as last_seen from partner_session"
            + " where account_id = ?1 and tracking_id = ?2";
    List<Tuple> overall =
        em.createNativeQuery(select.formatted("null as stream_name"), Tuple.class)
            .setParameter(1, accountId)
            .setParameter(2, trackingId)
            .getResultList();
    List<Tuple> perStream =
        em.createNativeQuery(
                select.formatted("stream_name") + " group by stream_name order by bytes desc",
                Tuple.class)
            .setParameter(1, accountId)
            .setParameter(2, trackingId)
            .getResultList();
    if (overall.isEmpty() || ((Number) overall.get(0).get("sessions")).longValue() == 0) {
      return List.of();
    }
    return java.util.stream.Stream.concat(overall.stream(), perStream.stream())
        .map(PartnerSessions::totals)
        .toList();
  }

  /** The account's tracking ids with sessions, alphabetically. */
  @Transactional
  public List<String> trackingIds(String accountId) {
    return em.createNativeQuery(
            "select distinct tracking_id from partner_session where account_id = ?1"
                + " order by tracking_id",
            String.class)
        .setParameter(1, accountId)
        .setMaxResults(1000)
        .getResultList();
  }

  private static Totals totals(Tuple t) {
    Object lastSeen = t.get("last_seen");
    return new Totals(
        (String) t.get("stream_name"),
        ((Number) t.get("viewers")).longValue(),
        ((Number) t.get("sessions")).longValue(),
        ((Number) t.get("watched")).longValue(),
        ((Number) t.get("bytes")).longValue(),
        lastSeen instanceof Instant i
            ? i
            : lastSeen instanceof java.time.OffsetDateTime o
                ? o.toInstant()
                : lastSeen instanceof java.sql.Timestamp ts ? ts.toInstant() : null);
  }
}
