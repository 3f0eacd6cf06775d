package io.beamline.stream.service;

import io.beamline.stream.config.StreamConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The media nodes of every cluster: each instance announces the node it drives every few seconds,
 * and a node not heard from for {@link #FRESH} is no longer offered to clients.
 */
@ApplicationScoped
public class MediaNodeRegistry {

  /** How long a node's last announcement keeps it on offer. */
  static final Duration FRESH = Duration.ofSeconds(45);

  /** A node clients can be sent to. */
  public record Node(String id, String clusterId, String rtmpUrl, String hlsUrl) {}

  private final EntityManager em;
  private final StreamConfig.MediaNode own;

  public MediaNodeRegistry(EntityManager em, StreamConfig config) {
    this.em = em;
    this.own = config.mediaNode();
  }

  void announceAtStart(@Observes StartupEvent started) {
    announce();
  }

  /** Refreshes this instance's node row. */
  @Scheduled(every = "15s", delayed = "15s")
  @Transactional
  void announce() {
    em.createNativeQuery(
            "insert into media_node (id, cluster_id, rtmp_url, hls_url, last_seen_at)"
                + " values (?1, ?2, ?3, ?4, now()) on conflict (id) do update set cluster_id ="
                + " excluded.cluster_id, rtmp_url = excluded.rtmp_url, hls_url = excluded.hls_url,"
                + " last_seen_at = excluded.last_seen_at")
        .setParameter(1, own.id())
        .setParameter(2, own.clusterId())
        .setParameter(3, own.rtmpUrl())
        .setParameter(4, own.hlsUrl())
        .executeUpdate();
  }

  /** This instance's own node. */
  public Node own() {
    return new Node(own.id(), own.clusterId(), own.rtmpUrl(), own.hlsUrl());
  }

  /** Clusters with at least one fresh node, this instance's always among them. */
  @Transactional
  public List<String> clusters() {
    List<String> ids =
        em
            .createNativeQuery(
                "select distinct cluster_id from media_node where last_seen_at > ?1"
                    + " order by cluster_id",
                String.class)
            .setParameter(1, Instant.now().minus(FRESH))
            .getResultList()
            .stream()
            .map(String.class::cast)
            .toList();
    if (!ids.contains(own.clusterId())) {
      return java.util.stream.Stream.concat(
              ids.stream(), java.util.stream.Stream.of(own.clusterId()))
          .sorted()
          .toList();
    }
    return ids;
  }

  /** A fresh node of a cluster (this instance's own when it belongs to it), if any. */
  @Transactional
  public Optional<Node> nodeOf(String clusterId) {
    if (clusterId == null) {
      return Optional.empty();
    }
    if (clusterId.equals(own.clusterId())) {
      return Optional.of(own());
    }
    List<?> rows =
        em.createNativeQuery(
                "select id, cluster_id, rtmp_url, hls_url from media_node where cluster_id = ?1"
                    + " and last_seen_at > ?2 order by last_seen_at desc limit 1")
            .setParameter(1, clusterId)
            .setParameter(2, Instant.now().minus(FRESH))
            .getResultList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Object[] row = (Object[]) rows.get(0);
    return Optional.of(
        new Node((String) row[0], (String) row[1], (String) row[2], (String) row[3]));
  }

  /** A node by id (this instance's own, or a fresh one another instance announced). */
  @Transactional
  public Optional<Node> node(String nodeId) {
    if (own.id().equals(nodeId)) {
      return Optional.of(own());
    }
    List<?> rows =
        em.createNativeQuery(
                "select id, cluster_id, rtmp_url, hls_url from media_node where id = ?1"
                    + " and last_seen_at > ?2")
            .setParameter(1, nodeId)
            .setParameter(2, Instant.now().minus(FRESH))
            .getResultList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Object[] row = (Object[]) rows.get(0);
    return Optional.of(
        new Node((String) row[0], (String) row[1], (String) row[2], (String) row[3]));
  }

  /** The account's chosen default cluster, if it chose one. */
  @Transactional
  public Optional<String> accountDefault(String accountId) {
    List<?> rows =
        em.createNativeQuery("select default_cluster from account_cluster where account_id = ?1")
            .setParameter(1, accountId)
            .getResultList();
    return rows.isEmpty() ? Optional.empty() : Optional.of((String) rows.get(0));
  }

  @Transactional
  public void setAccountDefault(String accountId, String clusterId) {
    em.createNativeQuery(
            "insert into account_cluster (account_id, default_cluster, updated_at)"
                + " values (?1, ?2, now()) on conflict (account_id) do update set default_cluster"
                + " = excluded.default_cluster, updated_at = excluded.updated_at")
        .setParameter(1, accountId)
        .setParameter(2, clusterId)
        .executeUpdate();
  }

  /**
   * Where a client goes: the token's origin cluster when it has a node, else a cluster in the
   * client's country, else the account's default, else this instance's own node.
   *
   * @param clusterCountries cluster id to its location's country (ISO alpha-2), from configuration
   */
  public Node choose(
      String originCluster,
      String accountId,
      String clientCountry,
      java.util.Map<String, String> clusterCountries) {
    if (originCluster != null && !"auto".equalsIgnoreCase(originCluster)) {
      Optional<Node> origin = nodeOf(originCluster);
      if (origin.isPresent()) {
        return origin.get();
      }
    }
    if (clientCountry != null) {
      for (String cluster : clusters()) {
        if (clientCountry.equalsIgnoreCase(clusterCountries.get(cluster))) {
          Optional<Node> near = nodeOf(cluster);
          if (near.isPresent()) {
            return near.get();
          }
        }
      }
    }
    return accountDefault(accountId).flatMap(this::nodeOf).orElseGet(this::own);
  }
}
