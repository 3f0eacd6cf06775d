package io.beamline.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The Dockerfiles agree with the services they package and with compose and Kubernetes. */
class ImagesTest {

  static final List<String> SERVICES = ComposeSchemaTest.SERVICES;

  @ParameterizedTest
  @FieldSource("SERVICES")
  void serviceImageIsAFastJarNonRootImageWithAHealthCheck(String service) throws IOException {
    String dockerfile =
        Files.readString(RepoFiles.resolve(service + "/src/main/docker/Dockerfile.jvm"));
    int port = httpPort(service);

    assertTrue(dockerfile.contains("\nFROM eclipse-temurin:17-jre"), "JRE 17 base");
    for (String part : List.of("lib/", "quarkus/", "app/", "quarkus-run.jar")) {
      assertTrue(dockerfile.contains("target/quarkus-app/" + part), () -> "copies " + part);
    }
    assertTrue(dockerfile.contains("\nUSER 185\n"), "runs as uid 185, not root");
    assertTrue(dockerfile.contains("/q/health/live"), "health check on /q/health/live");
    assertTrue(dockerfile.contains("\nHEALTHCHECK "), "has a HEALTHCHECK");
    assertEquals(port, single(dockerfile, "\nEXPOSE (\\d+)\n"), "EXPOSE");
    assertEquals(port, single(dockerfile, "QUARKUS_HTTP_PORT=(\\d+)"), "QUARKUS_HTTP_PORT");

    JsonNode deployment = Manifests.named("k8s/base", "Deployment", service);
    JsonNode container =
        deployment.path("spec").path("template").path("spec").path("containers").get(0);
    assertEquals(port, container.path("ports").get(0).path("containerPort").asInt());
    assertEquals("beamline/" + service + ":0.1.0", container.path("image").asText());
    assertTrue(
        ComposeFile.read()
            .path("services")
            .path(service)
            .path("ports")
            .get(0)
            .asText()
            .endsWith(":" + port));
  }

  @Test
  void tokenServiceImageCarriesTheGeoIpDatabaseEveryDeploymentPointsAt() throws IOException {
    String dockerfile =
        Files.readString(RepoFiles.resolve("token-service/src/main/docker/Dockerfile.jvm"));
    String script =
        Files.readString(RepoFiles.resolve("token-service/src/main/scripts/install-geoip.sh"));
    String path = "/opt/beamline/geoip/dbip-country.mmdb";

    // The build stage runs the service's own installer, which writes <dir>/dbip-country.mmdb.
    assertTrue(script.contains("target=\"$dir/dbip-country.mmdb\""), "installer's file name");
    Matcher install =
        Pattern.compile("\nRUN bash (\\S+install-geoip\\.sh) (/\\S+) ").matcher(dockerfile);
    assertTrue(install.find(), "the image runs install-geoip.sh");
    assertTrue(
        dockerfile.contains("COPY src/main/scripts/install-geoip.sh " + install.group(1)),
        "copies the service's installer");
    assertTrue(
        dockerfile.contains("COPY --from=geoip " + install.group(2) + "/dbip-country.mmdb")
            && dockerfile.contains(" /opt/beamline/geoip/\n"),
        "copies the database into the runtime image");
    assertTrue(dockerfile.contains("BEAMLINE_GEOIP_DATABASE=" + path), "image default");

    JsonNode compose = ComposeFile.read().path("services").path("token-service");
    assertEquals(path, compose.path("environment").path("BEAMLINE_GEOIP_DATABASE").asText());
    for (String kustomization : Manifests.KUSTOMIZATIONS) {
      JsonNode container =
          Manifests.named(kustomization, "Deployment", "token-service")
              .path("spec")
              .path("template")
              .path("spec")
              .path("containers")
              .get(0);
      assertTrue(
          container
              .path("env")
              .toString()
              .contains("{\"name\":\"BEAMLINE_GEOIP_DATABASE\",\"value\":\"" + path + "\"}"),
          () -> kustomization + " token-service does not read " + path);
    }
  }

  @Test
  void mediaNodeImageIsBuiltFromDebianPackagesWithTheTemplate() throws IOException {
    String dockerfile = Files.readString(RepoFiles.resolve("media-node/Dockerfile"));

    assertTrue(dockerfile.contains("\nFROM debian:bookworm"));
    for (String pkg : List.of("nginx", "libnginx-mod-rtmp", "ffmpeg", "gettext-base")) {
      assertTrue(
          Pattern.compile("\\s" + pkg + "\\s").matcher(dockerfile).find(), () -> "installs " + pkg);
    }
    assertTrue(dockerfile.contains("COPY nginx.conf.template "));
    assertTrue(dockerfile.contains("\nUSER 1001\n"));
    assertTrue(dockerfile.contains("\nHEALTHCHECK "));
    assertTrue(Files.isExecutable(RepoFiles.resolve("media-node/docker-entrypoint.sh")));
  }

  static int httpPort(String service) throws IOException {
    Properties properties = new Properties();
    Path file = RepoFiles.resolve(service + "/src/main/resources/application.properties");
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    }
    return Integer.parseInt(properties.getProperty("quarkus.http.port"));
  }

  private static int single(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), () -> "no match for " + regex);
    int value = Integer.parseInt(m.group(1));
    assertTrue(!m.find(), () -> "several matches for " + regex);
    return value;
  }
}
