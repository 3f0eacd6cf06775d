package io.beamline.devstack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3StoreTest {

  @TempDir Path dir;

  @Test
  void shouldStoreObjectsAndServePresignedUrlsWithSignatureCheck() throws Exception {
    byte[] content = "hello recording".getBytes(StandardCharsets.UTF_8);
    try (S3Store s3 = S3Store.builder().dataDir(dir.resolve("s3")).runDir(dir).build().start()) {
      assertTrue(Files.isRegularFile(dir.resolve("s3proxy.pid")), "pid file written");
      s3.createBucketIfMissing("recordings");
      s3.createBucketIfMissing("recordings"); // idempotent

      String url;
      try (MinioClient client = s3.newClient()) {
        client.putObject(
            PutObjectArgs.builder()
                .bucket("recordings")
                .object("a/b.txt")
                .data(content, content.length)
                .contentType("text/plain")
                .build());
        try (InputStream in =
            client.getObject(
                GetObjectArgs.builder().bucket("recordings").object("a/b.txt").build())) {
          assertArrayEquals(content, in.readAllBytes());
        }
        url =
            client.getPresignedObjectUrl(
                GetPresignedObjectUrlArgs.builder()
                    .method(Http.Method.GET)
                    .bucket("recordings")
                    .object("a/b.txt")
                    .expiry(300)
                    .build());
      }
      assertTrue(Files.isRegularFile(dir.resolve("s3/blobs/recordings/a/b.txt")), "stored on disk");

      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<byte[]> ok =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, ok.statusCode());
      assertArrayEquals(content, ok.body());

      String tampered = url.replaceFirst("X-Amz-Signature=.", "X-Amz-Signature=0");
      if (tampered.equals(url)) {
        tampered = url.replaceFirst("X-Amz-Signature=.", "X-Amz-Signature=1");
      }
      HttpResponse<Void> forbidden =
          http.send(
              HttpRequest.newBuilder(URI.create(tampered)).build(),
              HttpResponse.BodyHandlers.discarding());
      assertEquals(403, forbidden.statusCode());

      s3.kill();
      assertFalse(s3.isRunning());
      s3.start();
      try (MinioClient client = s3.newClient();
          InputStream in =
              client.getObject(
                  GetObjectArgs.builder().bucket("recordings").object("a/b.txt").build())) {
        assertArrayEquals(content, in.readAllBytes());
      }
    }
  }
}
