package io.beamline.token.authorize;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes tiny MaxMind DB (MMDB v2) country files for tests, since no MMDB writer is published on
 * Maven Central: an IPv6 search tree with IPv4 under {@code ::/96}, 32-bit records, and records
 * shaped like DB-IP Lite's ({@code {country_code: "DE"}}).
 */
public final class TestMmdb {

  private static final byte[] METADATA_MARKER = {
    (byte) 0xAB, (byte) 0xCD, (byte) 0xEF, 'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'
  };

  /** Country of every address in the tests' networks. */
  public static final Map<String, String> NETWORKS = new LinkedHashMap<>();

  static {
    NETWORKS.put("192.0.2.0/24", "US");
    NETWORKS.put("198.51.100.0/24", "DE");
    NETWORKS.put("203.0.113.0/24", "FR");
    NETWORKS.put("10.0.0.0/8", "US");
    NETWORKS.put("10.1.0.0/16", "CA");
    NETWORKS.put("2001:db8:1::/48", "DE");
    NETWORKS.put("2001:db8:2::/48", "FR");
  }

  private static final class Node {
    final Object[] children = new Object[2]; // null (empty), Node, or String (country)
  }

  private TestMmdb() {}

  /** Writes {@link #NETWORKS} to {@code file}. */
  public static Path write(Path file) throws IOException {
    return write(file, NETWORKS);
  }

  public static Path write(Path file, Map<String, String> networks) throws IOException {
    Node root = new Node();
    List<Map.Entry<String, String>> sorted = new ArrayList<>(networks.entrySet());
    // Less specific first, so a more specific network splits and overrides it.
    sorted.sort(Comparator.comparingInt(e -> bits(e.getKey()).length));
    for (Map.Entry<String, String> network : sorted) {
      insert(root, bits(network.getKey()), network.getValue());
    }
    List<Node> nodes = new ArrayList<>();
    Map<Node, Integer> ids = new IdentityHashMap<>();
    number(root, nodes, ids);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    Map<String, Integer> offsets = new LinkedHashMap<>();
    for (String country : networks.values()) {
      if (!offsets.containsKey(country)) {
        offsets.put(country, data.size());
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("country_code", country);
        encode(record, data);
      }
    }
    long nodeCount = nodes.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Node node : nodes) {
      for (Object child : node.children) {
        long value;
        if (child == null) {
          value = nodeCount;
        } else if (child instanceof Node n) {
          value = ids.get(n);
        } else {
          value = nodeCount + 16 + offsets.get((String) child);
        }
        out.write(
            new byte[] {
              (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
            });
      }
    }
    out.write(new byte[16]);
    data.writeTo(out);
    out.write(METADATA_MARKER);
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("node_count", new UInt32(nodeCount));
    metadata.put("record_size", new UInt16(32));
    metadata.put("ip_version", new UInt16(6));
    metadata.put("database_type", "Beamline-Test-Country");
    metadata.put("languages", List.of("en"));
    metadata.put("binary_format_major_version", new UInt16(2));
    metadata.put("binary_format_minor_version", new UInt16(0));
    metadata.put("build_epoch", new UInt64(System.currentTimeMillis() / 1000));
    metadata.put("description", Map.of("en", "Beamline test country database"));
    encode(metadata, out);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, out.toByteArray());
    return file;
  }

  private static void insert(Node root, boolean[] bits, String country) {
    Node node = root;
    for (int i = 0; i < bits.length; i++) {
      int side = bits[i] ? 1 : 0;
      if (i == bits.length - 1) {
        node.children[side] = country;
        return;
      }
      Object child = node.children[side];
      if (!(child instanceof Node)) {
        Node split = new Node();
        split.children[0] = child;
        split.children[1] = child;
        node.children[side] = split;
        child = split;
      }
      node = (Node) child;
    }
  }

  private static void number(Node node, List<Node> nodes, Map<Node, Integer> ids) {
    ids.put(node, nodes.size());
    nodes.add(node);
    for (Object child : node.children) {
      if (child instanceof Node n) {
        number(n, nodes, ids);
      }
    }
  }

  /** The network's prefix bits in the IPv6 tree (IPv4 under ::/96). */
  private static boolean[] bits(String cidr) {
    IPAddress address = new IPAddressString(cidr).getAddress();
    byte[] bytes = address.getBytes();
    int prefix =
        address.getNetworkPrefixLength() == null
            ? bytes.length * 8
            : address.getNetworkPrefixLength();
    int offset = address.isIPv4() ? 96 : 0;
    boolean[] bits = new boolean[offset + prefix];
    for (int i = 0; i < prefix; i++) {
      bits[offset + i] = (bytes[i / 8] & (0x80 >>> (i % 8))) != 0;
    }
    return bits;
  }

  private record UInt16(long value) {}

  private record UInt32(long value) {}

  private record UInt64(long value) {}

  private static void encode(Object value, ByteArrayOutputStream out) {
    if (value instanceof String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      control(2, bytes.length, out);
      out.writeBytes(bytes);
    } else if (value instanceof Map<?, ?> map) {
      control(7, map.size(), out);
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        encode(entry.getKey(), out);
        encode(entry.getValue(), out);
      }
    } else if (value instanceof List<?> list) {
      control(11, list.size(), out);
      list.forEach(item -> encode(item, out));
    } else if (value instanceof UInt16 u) {
      unsigned(5, u.value(), out);
    } else if (value instanceof UInt32 u) {
      unsigned(6, u.value(), out);
    } else if (value instanceof UInt64 u) {
      unsigned(9, u.value(), out);
    } else {
      throw new IllegalArgumentException("cannot encode " + value);
    }
  }

  private static void unsigned(int type, long value, ByteArrayOutputStream out) {
    int size = 0;
    for (long v = value; v != 0; v >>>= 8) {
      size++;
    }
    control(type, size, out);
    for (int i = size - 1; i >= 0; i--) {
      out.write((int) (value >>> (8 * i)));
    }
  }

  /**
   * A control byte: types above 7 are "extended" (type 0 plus a second byte of type - 7); sizes of
   * 29 and more continue in one or two further bytes.
   */
  private static void control(int type, int size, ByteArrayOutputStream out) {
    int sizeBits = size < 29 ? size : size < 285 ? 29 : 30;
    out.write(((type <= 7 ? type : 0) << 5) | sizeBits);
    if (type > 7) {
      out.write(type - 7);
    }
    if (sizeBits == 29) {
      out.write(size - 29);
    } else if (sizeBits == 30) {
      out.write((size - 285) >>> 8);
      out.write(size - 285);
    }
  }
}
