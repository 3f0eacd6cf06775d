package io.beamline.devstack;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Small file helpers shared by the components: logs, pid files, temporary directories. */
final class FileSupport {

  private FileSupport() {}

  static Path createDirectories(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new DevstackException("cannot create directory " + dir + ": " + e.getMessage(), e);
    }
  }

  static Path tempDirectory(String prefix) {
    try {
      return Files.createTempDirectory(prefix).toAbsolutePath();
    } catch (IOException e) {
      throw new DevstackException("cannot create a temporary directory: " + e.getMessage(), e);
    }
  }

  static void write(Path file, String content) {
    try {
      createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DevstackException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A leftover pid file is harmless: readers check that the process is alive.
    }
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(FileSupport::deleteQuietly);
    } catch (IOException | UncheckedIOException e) {
      // Best effort: temporary data left behind is cleaned by the OS eventually.
    }
  }

  /** Moves {@code log} to {@code log.1} so each run starts with a fresh file. */
  static void rotate(Path log) {
    if (Files.isRegularFile(log)) {
      try {
        Files.move(
            log, log.resolveSibling(log.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        // Appending to the old file is an acceptable fallback.
      }
    }
  }

  /** The last {@code lines} lines of a (possibly large) text file, or "" if it cannot be read. */
  static String tail(Path file, int lines) {
    if (file == null || !Files.isRegularFile(file)) {
      return "";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int chunk = (int) Math.min(length, 64 * 1024);
      byte[] bytes = new byte[chunk];
      raf.seek(length - chunk);
      raf.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      String[] all = text.split("\\R");
      int from = Math.max(0, all.length - lines);
      StringBuilder out = new StringBuilder();
      for (int i = from; i < all.length; i++) {
        String line = all[i].length() > 240 ? all[i].substring(0, 240) + " ..." : all[i];
        out.append("    ").append(line).append('\n');
      }
      return out.toString();
    } catch (IOException e) {
      return "";
    }
  }
}
