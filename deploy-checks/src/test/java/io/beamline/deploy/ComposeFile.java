package io.beamline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Reads docker-compose.yml the way Compose does: YAML anchors and merge keys resolved. */
final class ComposeFile {

  private ComposeFile() {}

  static JsonNode read() throws IOException {
    return read(Files.readString(RepoFiles.resolve("docker-compose.yml")));
  }

  /**
   * Parses Compose YAML; SnakeYAML resolves {@code <<: *anchor} merges, Jackson's parser does not.
   */
  static JsonNode read(String yaml) {
    Map<String, Object> document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    return new ObjectMapper().valueToTree(document);
  }
}
