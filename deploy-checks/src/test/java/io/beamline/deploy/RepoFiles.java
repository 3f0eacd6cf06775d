package io.beamline.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's deployment files from the test JVM. */
final class RepoFiles {

  private RepoFiles() {}

  /** The repository root: the {@code beamline.repo} property Maven sets, else the parent dir. */
  static Path root() {
    String configured = System.getProperty("beamline.repo");
    Path root =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of("").toAbsolutePath().getParent();
    if (!Files.isDirectory(root.resolve("k8s")) || !Files.isRegularFile(root.resolve("pom.xml"))) {
      throw new IllegalStateException("Not the Beamline repository root: " + root);
    }
    return root;
  }

  static Path resolve(String relative) {
    return root().resolve(relative);
  }
}
