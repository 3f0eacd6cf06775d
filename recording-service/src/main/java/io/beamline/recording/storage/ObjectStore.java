package io.beamline.recording.storage;

import io.beamline.recording.config.S3Config;
import io.minio.AbortMultipartUploadArgs;
import io.minio.CompleteMultipartUploadArgs;
import io.minio.CreateMultipartUploadArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.ListObjectsArgs;
import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.UploadPartArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import io.minio.messages.Item;
import io.minio.messages.Part;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The recordings bucket: low-level multipart uploads (so each uploaded part can be recorded and an
 * upload completed by another instance), removal, listing and pre-signed download URLs.
 */
@ApplicationScoped
public class ObjectStore {

  private final MinioClient client;
  private final MinioAsyncClient multipart;
  private final String bucket;

  public ObjectStore(MinioClient client, S3Config config) {
    this.client = client;
    this.bucket = config.bucket();
    // The blocking client hides the multipart calls; the async one exposes them.
    this.multipart =
        MinioAsyncClient.builder()
            .endpoint(config.endpoint())
            .region(config.region())
            .credentials(config.accessKey(), config.secretKey())
            .build();
    multipart.setTimeout(
        Duration.ofSeconds(5).toMillis(),
        Duration.ofMinutes(5).toMillis(),
        Duration.ofMinutes(5).toMillis());
  }

  @PreDestroy
  void close() {
    multipart.close();
  }

  public String bucket() {
    return bucket;
  }

  /** Opens a multipart upload of {@code key}; returns its upload id. */
  public String createUpload(String key) throws StoreException {
    return await(
            multipart.createMultipartUpload(
                CreateMultipartUploadArgs.builder()
                    .bucket(bucket)
                    .object(key)
                    .headers(new Http.Headers(Map.of("Content-Type", "video/mp4")))
                    .build()))
        .result()
        .uploadId();
  }

  /** Uploads {@code length} bytes of {@code data} as part {@code partNumber}; returns its ETag. */
  public String uploadPart(String key, String uploadId, int partNumber, byte[] data, int length)
      throws StoreException {
    return await(
            multipart.uploadPart(
                UploadPartArgs.builder()
                    .bucket(bucket)
                    .object(key)
                    .uploadId(uploadId)
                    .partNumber(partNumber)
                    .data(data, length)
                    .build()))
        .part()
        .etag();
  }

  /** Completes an upload from the given parts, in part number order. */
  public void completeUpload(String key, String uploadId, List<UploadedPart> parts)
      throws StoreException {
    Part[] list =
        parts.stream()
            .sorted((a, b) -> Integer.compare(a.partNumber(), b.partNumber()))
            .map(p -> new Part(p.partNumber(), p.etag()))
            .toArray(Part[]::new);
    await(
        multipart.completeMultipartUpload(
            CompleteMultipartUploadArgs.builder()
                .bucket(bucket)
                .object(key)
                .uploadId(uploadId)
                .parts(list)
                .build()));
  }

  /** Aborts an upload; an upload that no longer exists counts as aborted. */
  public void abortUpload(String key, String uploadId) throws StoreException {
    try {
      await(
          multipart.abortMultipartUpload(
              AbortMultipartUploadArgs.builder()
                  .bucket(bucket)
                  .object(key)
                  .uploadId(uploadId)
                  .build()));
    } catch (StoreException e) {
      if (!e.notFound()) {
        throw e;
      }
    }
  }

  /** The object's size, or empty when it does not exist. */
  public Optional<Long> size(String key) throws StoreException {
    try {
      return Optional.of(
          client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()).size());
    } catch (ErrorResponseException e) {
      if (isNotFound(e)) {
        return Optional.empty();
      }
      throw new StoreException("stat " + key, e);
    } catch (MinioException e) {
      throw new StoreException("stat " + key, e);
    }
  }

  /** Removes an object; removing a missing object succeeds (S3 semantics). */
  public void remove(String key) throws StoreException {
    try {
      client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
    } catch (MinioException e) {
      throw new StoreException("remove " + key, e);
    }
  }

  /** Every object key under {@code prefix} with its size. */
  public Map<String, Long> list(String prefix) throws StoreException {
    Map<String, Long> objects = new java.util.TreeMap<>();
    try {
      for (Result<Item> result :
          client.listObjects(
              ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build())) {
        Item item = result.get();
        if (!item.isDir()) {
          objects.put(item.objectName(), item.size());
        }
      }
    } catch (MinioException e) {
      throw new StoreException("list " + prefix, e);
    }
    return objects;
  }

  /** A GET URL for the object, valid for {@code expiry}. */
  public String presignedGet(String key, Duration expiry) throws StoreException {
    try {
      return client.getPresignedObjectUrl(
          GetPresignedObjectUrlArgs.builder()
              .method(Http.Method.GET)
              .bucket(bucket)
              .object(key)
              .expiry((int) expiry.toSeconds(), TimeUnit.SECONDS)
              .build());
    } catch (MinioException e) {
      throw new StoreException("presign " + key, e);
    }
  }

  /**
   * An open multipart upload.
   *
   * @param key object key
   * @param uploadId upload id
   * @param initiated when it was opened; null when the store does not say
   */
  public record OpenUpload(String key, String uploadId, java.time.Instant initiated) {}

  /** Every multipart upload open in the bucket. */
  public List<OpenUpload> openUploads() throws StoreException {
    List<OpenUpload> uploads = new ArrayList<>();
    String keyMarker = null;
    String uploadIdMarker = null;
    while (true) {
      var result =
          await(
                  multipart.listMultipartUploads(
                      io.minio.ListMultipartUploadsArgs.builder()
                          .bucket(bucket)
                          .keyMarker(keyMarker)
                          .uploadIdMarker(uploadIdMarker)
                          .build()))
              .result();
      for (var upload : result.uploads()) {
        uploads.add(
            new OpenUpload(
                upload.objectName(),
                upload.uploadId(),
                upload.initiated() == null ? null : upload.initiated().toInstant()));
      }
      if (!result.isTruncated()) {
        return uploads;
      }
      keyMarker = result.nextKeyMarker();
      uploadIdMarker = result.nextUploadIdMarker();
    }
  }

  /** The part numbers the store holds for an open upload, for checking recorded parts. */
  public List<Integer> listedParts(String key, String uploadId) throws StoreException {
    List<Integer> numbers = new ArrayList<>();
    var response =
        await(
            multipart.listParts(
                io.minio.ListPartsArgs.builder()
                    .bucket(bucket)
                    .object(key)
                    .uploadId(uploadId)
                    .build()));
    response.result().parts().forEach(p -> numbers.add(p.partNumber()));
    return numbers;
  }

  private static <T> T await(CompletableFuture<T> future) throws StoreException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new StoreException(String.valueOf(cause.getMessage()), cause);
    }
  }

  private static boolean isNotFound(ErrorResponseException e) {
    String code = e.errorResponse() == null ? null : e.errorResponse().code();
    return "NoSuchKey".equals(code) || "NoSuchUpload".equals(code) || "NotFound".equals(code);
  }

  /** A failed call to the object store. */
  public static class StoreException extends IOException {

    public StoreException(String message, Throwable cause) {
      super(message, cause);
    }

    /** Whether the store said the object or upload does not exist. */
    public boolean notFound() {
      return getCause() instanceof ErrorResponseException e && isNotFound(e);
    }
  }

  /**
   * One uploaded part as recorded in the database.
   *
   * @param partNumber from 1
   * @param etag the ETag the store answered
   * @param size bytes in the part
   */
  public record UploadedPart(int partNumber, String etag, long size) {}
}
