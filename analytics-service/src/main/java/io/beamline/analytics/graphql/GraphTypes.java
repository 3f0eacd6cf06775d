package io.beamline.analytics.graphql;

import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.Type;

/** The GraphQL types of analytics-service (models named as in the reference API). */
public final class GraphTypes {

  private GraphTypes() {}

  /** Stored bucket size of a stats model. */
  public enum StatResolution {
    MINUTE,
    HOUR,
    DAY
  }

  @Type("Feed")
  @Description("One publisher connection of a stream")
  public record Feed(
      String accountId,
      String streamId,
      String name,
      String feedId,
      String sourceId,
      String clusterId,
      String country,
      String protocol,
      Instant started,
      Instant ended,
      boolean active,
      Long durationSeconds,
      Long bytesIn) {}

  @Type("Geo")
  public record Geo(String country) {}

  @Type("Client")
  public record Client(String trackingId, String protocol, Geo geo) {}

  @Type("StreamView")
  @Description("One viewer session (internal recording and restream readers are never listed)")
  public record StreamView(
      String accountId,
      String streamId,
      String name,
      String streamViewId,
      String clusterId,
      Instant started,
      Instant ended,
      boolean active,
      Client client,
      Long watchedSeconds,
      Long bytesOut) {}

  @Type("StreamStat")
  @Description("A stream's audience and traffic over one bucket")
  public record StreamStat(
      String accountId,
      String streamId,
      String name,
      Instant from,
      Instant to,
      long numStarted,
      long numEnded,
      long bytesIn,
      long bytesOut,
      long peakViewers,
      long viewSeconds) {}

  @Type("AccountStat")
  @Description("An account's audience and traffic over one bucket")
  public record AccountStat(
      String accountId,
      Instant from,
      Instant to,
      long numStarted,
      long numEnded,
      long streams,
      long bytesIn,
      long bytesOut,
      long peakViewers,
      long viewSeconds) {}

  @Input("FeedFilter")
  public record FeedFilter(
      String streamName, Boolean active, Instant startedFrom, Instant startedTo) {}

  @Input("StreamViewFilter")
  public record StreamViewFilter(
      String streamName,
      Boolean active,
      String trackingId,
      String country,
      Instant startedFrom,
      Instant startedTo) {}

  @Input("StreamStatFilter")
  public record StreamStatFilter(
      String streamName, StatResolution resolution, Instant from, Instant to) {}

  @Input("AccountStatFilter")
  public record AccountStatFilter(StatResolution resolution, Instant from, Instant to) {}

  @Type("PaginationInfo")
  public record PaginationInfo(
      int currentPage,
      int perPage,
      long pageCount,
      long itemCount,
      boolean hasNextPage,
      boolean hasPreviousPage) {}

  @Type("PageInfo")
  public record PageInfo(
      String startCursor, String endCursor, boolean hasNextPage, boolean hasPreviousPage) {}

  @Type("FeedPagination")
  public record FeedPagination(List<Feed> items, PaginationInfo pageInfo) {}

  @Type("FeedEdge")
  public record FeedEdge(String cursor, Feed node) {}

  @Type("FeedConnection")
  public record FeedConnection(long count, PageInfo pageInfo, List<FeedEdge> edges) {}

  @Type("StreamViewPagination")
  public record StreamViewPagination(List<StreamView> items, PaginationInfo pageInfo) {}

  @Type("StreamViewEdge")
  public record StreamViewEdge(String cursor, StreamView node) {}

  @Type("StreamViewConnection")
  public record StreamViewConnection(long count, PageInfo pageInfo, List<StreamViewEdge> edges) {}

  @Type("StreamStatPagination")
  public record StreamStatPagination(List<StreamStat> items, PaginationInfo pageInfo) {}

  @Type("StreamStatEdge")
  public record StreamStatEdge(String cursor, StreamStat node) {}

  @Type("StreamStatConnection")
  public record StreamStatConnection(long count, PageInfo pageInfo, List<StreamStatEdge> edges) {}

  @Type("AccountStatPagination")
  public record AccountStatPagination(List<AccountStat> items, PaginationInfo pageInfo) {}

  @Type("AccountStatEdge")
  public record AccountStatEdge(String cursor, AccountStat node) {}

  @Type("AccountStatConnection")
  public record AccountStatConnection(long count, PageInfo pageInfo, List<AccountStatEdge> edges) {}

  @Type("LiveViewers")
  @Description("A stream's live state, pushed whenever it changes")
  public record LiveViewers(String streamName, boolean live, long concurrentViewers, Instant at) {}
}
