package io.beamline.recording.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * A media asset as the v3 API shows it (the reference API's media asset shape).
 *
 * @param id asset id
 * @param type {@code recording}
 * @param feed what was recorded
 * @param startTime when recording started
 * @param stopTime when it stopped; null while processing
 * @param name a readable name
 * @param storage where it is stored
 * @param status {@code processing}, {@code complete}, {@code error}, {@code deleting} or {@code
 *     deleted}
 * @param error why it failed; null otherwise
 * @param created when the asset was created
 * @param expiration when the retention job deletes it ({@code beamline.recording.retention.keep}
 *     after it stopped); null = kept until deleted
 * @param removed when its objects were deleted
 * @param metadata ffprobe's view of the stored media; null until complete
 * @param segments the objects holding it, in order (one unless the recording was interrupted)
 * @param download a pre-signed URL of the first segment; only on the single-asset read
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record AssetView(
    String id,
    String type,
    Feed feed,
    Instant startTime,
    Instant stopTime,
    String name,
    Storage storage,
    String status,
    String error,
    Instant created,
    Instant expiration,
    Instant removed,
    Object metadata,
    List<Segment> segments,
    @JsonInclude(JsonInclude.Include.NON_NULL) Download download) {

  /**
   * @param tokenId publish token
   * @param streamName stream name
   * @param streamId {@code accountId/streamName}
   * @param sourceId source; null = the main source
   * @param feedId the feed recorded last
   */
  public record Feed(
      long tokenId, String streamName, String streamId, String sourceId, String feedId) {}

  /**
   * @param type {@code s3}
   * @param bucket the bucket
   * @param path object key of the first segment
   */
  public record Storage(String type, String bucket, String path) {}

  /**
   * @param seq 1, 2, ...
   * @param path object key
   * @param status {@code uploading}, {@code complete}, {@code empty} or {@code deleted}
   * @param size bytes
   * @param duration seconds; null when unknown
   * @param download pre-signed URL; only on the single-asset read of a complete segment
   */
  public record Segment(
      int seq,
      String path,
      String status,
      long size,
      Double duration,
      @JsonInclude(JsonInclude.Include.NON_NULL) Download download) {}

  /**
   * @param downloadUrl pre-signed GET URL
   * @param downloadExpiresOn when it stops working
   */
  public record Download(String downloadUrl, Instant downloadExpiresOn) {}

  /**
   * A page of assets.
   *
   * @param items the assets
   * @param page page number from 1
   * @param limit page size
   * @param totalItems how many match the filters
   */
  public record Page(List<AssetView> items, int page, int limit, long totalItems) {}

  /**
   * Result of a batch delete, as in the reference API.
   *
   * @param deleted ids deleted
   * @param errors ids not deleted, with why
   */
  public record DeleteResult(List<String> deleted, List<DeleteError> errors) {}

  /**
   * @param id asset id
   * @param error why it was not deleted
   */
  public record DeleteError(String id, String error) {}
}
