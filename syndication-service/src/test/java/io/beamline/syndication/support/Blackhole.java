package io.beamline.syndication.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback target that never answers, as a host behind a firewall that drops packets does: a
 * listening socket that never accepts. {@link #dropping()} also fills its accept queue, so the
 * kernel drops every further SYN and a connect hangs; {@link #silent()} lets the kernel complete
 * the TCP handshake, after which nothing is ever read or written.
 */
public final class Blackhole implements AutoCloseable {

  private final ServerSocket server;
  private final List<SocketChannel> fillers = new ArrayList<>();

  private Blackhole(int backlog) {
    try {
      server = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Connects never complete: the accept queue is full, so SYNs are dropped. */
  public static Blackhole dropping() {
    Blackhole hole = new Blackhole(1);
    try {
      for (int i = 0; i < 4; i++) {
        SocketChannel c = SocketChannel.open();
        c.configureBlocking(false);
        c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), hole.port()));
        hole.fillers.add(c);
      }
    } catch (IOException e) {
      hole.close();
      throw new UncheckedIOException(e);
    }
    // The test is only meaningful if a connect really hangs here.
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), hole.port()), 1_000);
      hole.close();
      throw new IllegalStateException("the blackhole accepted a connection: SYNs not dropped");
    } catch (SocketTimeoutException expected) {
      return hole;
    } catch (IOException e) {
      hole.close();
      throw new UncheckedIOException(e);
    }
  }

  /** Connects complete (the kernel answers the handshake), but nothing is ever read or written. */
  public static Blackhole silent() {
    return new Blackhole(50);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** {@code rtmp://127.0.0.1:<port>/<app>}. */
  public String url(String app) {
    return "rtmp://127.0.0.1:" + port() + "/" + app;
  }

  @Override
  public void close() {
    for (SocketChannel c : fillers) {
      try {
        c.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
