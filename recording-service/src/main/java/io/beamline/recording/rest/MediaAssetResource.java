package io.beamline.recording.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.platform.problem.Problem;
import io.beamline.recording.AssetStatus;
import io.beamline.recording.AssetType;
import io.beamline.recording.MediaAsset;
import io.beamline.recording.MediaSegment;
import io.beamline.recording.SegmentStatus;
import io.beamline.recording.config.RecordingConfig;
import io.beamline.recording.service.AssetService;
import io.beamline.recording.storage.ObjectStore;
import io.beamline.recording.storage.ObjectStore.StoreException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's account's media assets (v3): list, read with a download URL, delete, usage. */
@Path("/api/v3/media/assets")
@Tag(name = "Media assets")
@SecurityRequirement(name = "apiKey")
@Produces(MediaType.APPLICATION_JSON)
public class MediaAssetResource {

  /** Longest validity S3 allows for a pre-signed URL (7 days). */
  static final long MAX_EXPIRY_SECONDS = Duration.ofDays(7).toSeconds();

  private static final ObjectMapper JSON = new ObjectMapper();

  private final AssetService assets;
  private final ObjectStore store;
  private final Caller caller;
  private final RecordingConfig config;

  public MediaAssetResource(
      AssetService assets, ObjectStore store, Caller caller, RecordingConfig config) {
    this.assets = assets;
    this.store = store;
    this.caller = caller;
    this.config = config;
  }

  @GET
  @RolesAllowed(ApiScopes.RECORDINGS_READ)
  @Operation(summary = "List the account's media assets, filtered, sorted and paged")
  @APIResponse(responseCode = "400", description = "A filter, sort or paging value is invalid")
  public Envelope<AssetView.Page> list(
      @QueryParam("type") String type,
      @QueryParam("status") String status,
      @QueryParam("streamName") String streamName,
      @QueryParam("tokenId") String tokenId,
      @QueryParam("sourceId") String sourceId,
      @QueryParam("sort") String sort,
      @QueryParam("desc") String desc,
      @QueryParam("page") String page,
      @QueryParam("limit") String limit) {
    List<Problem.FieldError> errors = new ArrayList<>();
    if (type != null && AssetType.parse(type).isEmpty()) {
      errors.add(
          new Problem.FieldError(
              "type", "must be one of recording, clip, storageValidation, timeline"));
    }
    if (status != null && AssetStatus.parse(status).isEmpty()) {
      errors.add(
          new Problem.FieldError(
              "status", "must be one of processing, complete, error, deleting, deleted"));
    }
    Long token = null;
    if (tokenId != null) {
      try {
        token = Long.parseLong(tokenId);
      } catch (NumberFormatException e) {
        errors.add(new Problem.FieldError("tokenId", "must be an integer"));
      }
    }
    String sortKey = sort == null ? "created" : sort;
    if (!AssetService.SORTS.containsKey(sortKey)) {
      errors.add(
          new Problem.FieldError(
              "sort", "must be one of startTime, stopTime, streamName, tokenId, created"));
    }
    boolean descending = false;
    if (desc != null) {
      if (!desc.equals("true") && !desc.equals("false")) {
        errors.add(new Problem.FieldError("desc", "must be true or false"));
      }
      descending = desc.equals("true");
    }
    int pageNumber = intParam(page, "page", 1, 1, Integer.MAX_VALUE / 100, errors);
    int pageSize = intParam(limit, "limit", 25, 1, 100, errors);
    if (streamName != null && streamName.isBlank()) {
      errors.add(new Problem.FieldError("streamName", "must not be blank"));
    }
    if (sourceId != null && sourceId.isBlank()) {
      errors.add(new Problem.FieldError("sourceId", "must not be blank (main = the main source)"));
    }
    if (!errors.isEmpty()) {
      throw new InvalidQueryException(errors);
    }
    AssetService.Page result =
        assets.list(
            caller.accountId(),
            new AssetService.Filter(type, status, streamName, token, sourceId),
            sortKey,
            descending,
            pageNumber,
            pageSize);
    List<AssetView> items = new ArrayList<>();
    for (MediaAsset asset : result.items()) {
      items.add(view(asset, assets.segments(asset.id), null));
    }
    return Envelope.success(new AssetView.Page(items, pageNumber, pageSize, result.totalItems()));
  }

  @GET
  @Path("/usage")
  @RolesAllowed(ApiScopes.RECORDINGS_READ)
  @Operation(summary = "Storage the account's media assets use")
  public Envelope<AssetService.Usage> usage() {
    return Envelope.success(assets.usage(caller.accountId()));
  }

  @GET
  @Path("/{id}")
  @RolesAllowed(ApiScopes.RECORDINGS_READ)
  @Operation(
      summary = "Read one media asset with its metadata and a pre-signed download URL",
      description =
          "expiresIn (seconds, 1 to 604800) sets the URL's validity; default"
              + " recording.download.expiry")
  @APIResponse(responseCode = "404", description = "No such asset in this account")
  public Envelope<AssetView> get(
      @PathParam("id") String id, @QueryParam("expiresIn") String expiresIn) {
    UUID assetId = parseId(id);
    Duration expiry = config.download().expiry();
    if (expiresIn != null) {
      List<Problem.FieldError> errors = new ArrayList<>();
      expiry =
          Duration.ofSeconds(intParam(expiresIn, "expiresIn", 0, 1, MAX_EXPIRY_SECONDS, errors));
      if (!errors.isEmpty()) {
        throw new InvalidQueryException(errors);
      }
    }
    MediaAsset asset = assets.get(caller.accountId(), assetId);
    return Envelope.success(view(asset, assets.segments(asset.id), expiry));
  }

  @DELETE
  @RolesAllowed(ApiScopes.RECORDINGS_WRITE)
  @Operation(summary = "Delete media assets by id (?id=...&id=...) with their objects")
  @APIResponse(responseCode = "400", description = "No id, or an id that is not a UUID")
  public Envelope<AssetView.DeleteResult> deleteMany(@QueryParam("id") List<String> ids) {
    if (ids == null || ids.isEmpty()) {
      throw InvalidQueryException.of("id", "give at least one id");
    }
    List<UUID> parsed = new ArrayList<>();
    for (String id : ids) {
      parsed.add(parseId(id));
    }
    List<String> deleted = new ArrayList<>();
    List<AssetView.DeleteError> errors = new ArrayList<>();
    for (UUID id : parsed) {
      try {
        assets.delete(caller.accountId(), id);
        deleted.add(id.toString());
      } catch (ApiProblemException e) {
        errors.add(new AssetView.DeleteError(id.toString(), e.getMessage()));
      }
    }
    return Envelope.success(new AssetView.DeleteResult(deleted, errors));
  }

  @DELETE
  @Path("/{id}")
  @RolesAllowed(ApiScopes.RECORDINGS_WRITE)
  @Operation(summary = "Delete one media asset with its objects")
  @APIResponse(responseCode = "204", description = "Deleted")
  @APIResponse(responseCode = "404", description = "No such asset in this account")
  @APIResponse(responseCode = "409", description = "Still being recorded")
  public void delete(@PathParam("id") String id) {
    assets.delete(caller.accountId(), parseId(id));
  }

  @DELETE
  @Path("/all/{type}")
  @RolesAllowed(ApiScopes.RECORDINGS_WRITE)
  @Operation(summary = "Delete every media asset of a type that is not being recorded")
  public Envelope<AssetView.DeleteResult> deleteAll(@PathParam("type") String type) {
    if (AssetType.parse(type).isEmpty()) {
      throw InvalidQueryException.of(
          "type", "must be one of recording, clip, storageValidation, timeline");
    }
    List<UUID> before =
        assets
            .list(
                caller.accountId(),
                new AssetService.Filter(type, null, null, null, null),
                "created",
                false,
                1,
                Integer.MAX_VALUE)
            .items()
            .stream()
            .filter(a -> !AssetStatus.PROCESSING.wire().equals(a.status))
            .map(a -> a.id)
            .toList();
    Map<String, String> failed = assets.deleteAll(caller.accountId(), type);
    List<String> deleted =
        before.stream().map(UUID::toString).filter(i -> !failed.containsKey(i)).toList();
    List<AssetView.DeleteError> errors =
        failed.entrySet().stream()
            .map(e -> new AssetView.DeleteError(e.getKey(), e.getValue()))
            .toList();
    return Envelope.success(new AssetView.DeleteResult(deleted, errors));
  }

  private AssetView view(MediaAsset asset, List<MediaSegment> segments, Duration expiry) {
    List<AssetView.Segment> segmentViews = new ArrayList<>();
    AssetView.Download first = null;
    boolean downloadable = AssetStatus.COMPLETE.wire().equals(asset.status);
    for (MediaSegment segment : segments) {
      AssetView.Download download = null;
      if (expiry != null && downloadable && SegmentStatus.COMPLETE.wire().equals(segment.status)) {
        download = download(segment.objectKey, expiry);
        if (first == null) {
          first = download;
        }
      }
      segmentViews.add(
          new AssetView.Segment(
              segment.seq,
              segment.objectKey,
              segment.status,
              segment.sizeBytes,
              segment.durationSeconds,
              download));
    }
    String path =
        segments.stream()
            .filter(s -> !SegmentStatus.EMPTY.wire().equals(s.status))
            .map(s -> s.objectKey)
            .findFirst()
            .orElse(null);
    return new AssetView(
        asset.id.toString(),
        asset.type,
        new AssetView.Feed(
            asset.tokenId, asset.streamName, asset.streamId, asset.sourceId, asset.feedId),
        asset.startTime,
        asset.stopTime,
        asset.name,
        new AssetView.Storage("s3", store.bucket(), path),
        asset.status,
        asset.error,
        asset.created,
        asset.expiration,
        asset.removed,
        metadata(asset.metadata),
        segmentViews,
        first);
  }

  private AssetView.Download download(String key, Duration expiry) {
    Instant expiresOn = Instant.now().plus(expiry);
    try {
      return new AssetView.Download(store.presignedGet(key, expiry), expiresOn);
    } catch (StoreException e) {
      throw new IllegalStateException("cannot sign a download URL: " + e.getMessage(), e);
    }
  }

  private static Object metadata(String json) {
    if (json == null) {
      return null;
    }
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      return null;
    }
  }

  private static UUID parseId(String id) {
    try {
      UUID uuid = UUID.fromString(id);
      if (!uuid.toString().equalsIgnoreCase(id)) {
        throw new IllegalArgumentException(id);
      }
      return uuid;
    } catch (IllegalArgumentException e) {
      throw InvalidQueryException.of("id", "must be a media asset id (a UUID)");
    }
  }

  private static int intParam(
      String value, String field, int fallback, long min, long max, List<Problem.FieldError> out) {
    if (value == null) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value);
      if (parsed < min || parsed > max) {
        out.add(new Problem.FieldError(field, "must be between " + min + " and " + max));
        return fallback;
      }
      return (int) parsed;
    } catch (NumberFormatException e) {
      out.add(new Problem.FieldError(field, "must be an integer"));
      return fallback;
    }
  }
}
