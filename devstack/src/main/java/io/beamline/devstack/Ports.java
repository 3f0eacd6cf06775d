package io.beamline.devstack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Picks ephemeral loopback ports and checks that configured ports are free, without blocking. */
public final class Ports {

  /** The address every dev-stack component binds to. */
  public static final String LOOPBACK = "127.0.0.1";

  // Ports handed out recently by this JVM: the kernel may offer the same ephemeral port twice in a
  // row once the probing socket is closed, and two components must never get the same one.
  private static final Set<Integer> HANDED_OUT = new LinkedHashSet<>();

  private static final int PICK_LOW = 20000;
  private static final int PICK_HIGH = 32767;
  private static final Random RANDOM = new Random();

  private Ports() {}

  private static void remember(int port) {
    HANDED_OUT.add(port);
    if (HANDED_OUT.size() > 1000) {
      HANDED_OUT.remove(HANDED_OUT.iterator().next());
    }
  }

  /** The kernel's range of ports for outgoing connections (Linux), or null when unknown. */
  private static int[] ephemeralRange() {
    try {
      // Line by line: Files.readString trusts the size procfs reports and returned "3" here.
      String[] range =
          Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
              .get(0)
              .trim()
              .split("\\s+");
      return new int[] {Integer.parseInt(range[0]), Integer.parseInt(range[1])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** A port that was free a moment ago and has not been handed out by this JVM before. */
  public static synchronized int freePort() {
    // Below the kernel's ephemeral range when there is room: a port from that range can be taken,
    // between the pick and the bind, as the local port of an outgoing connection (seen once:
    // S3Proxy found its port used by a connection made while Kafka and PostgreSQL started).
    int[] ephemeral = ephemeralRange();
    int high = ephemeral == null ? -1 : Math.min(PICK_HIGH, ephemeral[0] - 1);
    if (high - PICK_LOW >= 1000) {
      for (int attempt = 0; attempt < 200; attempt++) {
        int port = PICK_LOW + RANDOM.nextInt(high - PICK_LOW + 1);
        if (!HANDED_OUT.contains(port) && isFree(port)) {
          remember(port);
          return port;
        }
      }
    }
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
        int port = socket.getLocalPort();
        if (!HANDED_OUT.contains(port)) {
          remember(port);
          return port;
        }
      } catch (IOException e) {
        throw new DevstackException("cannot open a loopback socket to pick a free port", e);
      }
    }
    throw new DevstackException("no free ephemeral port found on " + LOOPBACK);
  }

  /** Whether nothing listens on {@code port} on any local address. */
  public static boolean isFree(int port) {
    // Binding the wildcard address collides with a listener on any address (127.0.0.1 included),
    // while SO_REUSEADDR (the Java default on Linux) ignores connections lingering in TIME_WAIT.
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(port), 1);
    } catch (IOException e) {
      return false;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Fails fast when {@code port} is taken.
   *
   * @param what the component that wants the port, e.g. {@code kafka}
   * @param setting the setting that changes it, e.g. {@code BEAMLINE_KAFKA_PORT}; may be null
   * @throws PortInUseException naming the port, the component and the setting
   */
  public static void requireFree(int port, String what, String setting) {
    if (!isFree(port)) {
      throw new PortInUseException(port, what, setting);
    }
  }

  /** Checks several ports at once and reports every taken one in a single message. */
  public static void requireAllFree(List<PortClaim> claims) {
    List<String> taken = new ArrayList<>();
    for (PortClaim claim : claims) {
      if (!isFree(claim.port())) {
        taken.add(new PortInUseException(claim.port(), claim.what(), claim.setting()).getMessage());
      }
    }
    if (taken.size() == 1) {
      throw new DevstackException(taken.get(0));
    }
    if (!taken.isEmpty()) {
      throw new DevstackException(
          taken.size() + " ports are already in use:\n  " + String.join("\n  ", taken));
    }
  }

  /**
   * Whether something accepts TCP connections on {@code host:port} within {@code timeoutMillis}.
   */
  public static boolean isListening(String host, int port, int timeoutMillis) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), timeoutMillis);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A port some component wants, and the setting that moves it. */
  public record PortClaim(int port, String what, String setting) {}
}
