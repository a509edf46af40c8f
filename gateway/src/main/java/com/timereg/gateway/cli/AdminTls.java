package com.timereg.gateway.cli;

import com.timereg.gateway.tls.ServerTls;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The CLI's credentials for an admin listener with {@code admin.tls}: the CA that signed the listener's certificate
 * ({@code --ca-file}), a staff client certificate ({@code --cert-file}, {@code --key-file}) and a staff access
 * token ({@code --token-file}). Every mistake in them is a usage mistake naming the option and the file, never
 * quoting a key or a token. The key is read as the server reads its own (Vert.x's PEM options) and checked
 * against the certificate as the server checks its own: a wrong key would otherwise only show as a
 * handshake refused for no stated reason.
 */
final class AdminTls {
  private AdminTls() {}

  /** A TLS context and whether the listener asked it for a client certificate. */
  record Context(SSLContext ssl, ClientKeys keys) {}

  /**
   * The TLS context for these files (all may be null): Java's trusted CAs when {@code caFile} is null, no
   * client certificate when {@code certFile} is.
   */
  static Context context(CommandSpec leaf, Path caFile, Path certFile, Path keyFile) {
    if ((certFile == null) != (keyFile == null)) {
      throw AdminCommand.usage(leaf, "--cert-file and --key-file go together: a client certificate and its private key");
    }
    TrustManager[] trust = caFile == null ? null : trust(leaf, caFile);
    ClientKeys keys = new ClientKeys(certFile == null ? null : keys(leaf, certFile, keyFile));
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(new KeyManager[] {keys}, trust, null);
      return new Context(ctx, keys);
    } catch (GeneralSecurityException e) {
      throw new AdminClient.AdminClientException("this Java has no TLS: " + e.getClass().getSimpleName());
    }
  }

  private static TrustManager[] trust(CommandSpec leaf, Path caFile) {
    byte[] pem = read(leaf, "--ca-file", caFile);
    // Whoever can write it adds their own CA and is taken for the admin listener: shown the staff token, the client
    // certificate's session and every edit. Checked as the gateway checks its own CA files.
    com.timereg.gateway.tls.KeyFileMode.refusal(caFile, "--ca-file",
        "the CA the admin listener is checked against and be sent the staff token").ifPresent(m -> {
          throw AdminCommand.usage(leaf, m);
        });
    try {
      KeyStore cas = KeyStore.getInstance("PKCS12");
      cas.load(null, null);
      int i = 0;
      for (Certificate ca : certificates(leaf, "--ca-file", caFile, pem)) {
        cas.setCertificateEntry("ca" + i++, ca);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(cas);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw AdminCommand.usage(leaf, "--ca-file '" + caFile + "' holds no usable CA certificate ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  private static X509ExtendedKeyManager keys(CommandSpec leaf, Path certFile, Path keyFile) {
    byte[] cert = read(leaf, "--cert-file", certFile);
    byte[] key = read(leaf, "--key-file", keyFile);
    certificates(leaf, "--cert-file", certFile, cert);
    String keyText = new String(key, StandardCharsets.ISO_8859_1);
    if (keyText.contains("ENCRYPTED")) {
      throw AdminCommand.usage(leaf, "--key-file '" + keyFile + "' is encrypted; the CLI takes a plain PKCS#8 key"
          + " (openssl pkcs8 -topk8 -nocrypt -in KEY -out PLAIN, readable by you only)");
    }
    KeyManagerFactory factory;
    try {
      factory = new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key))
          .getKeyManagerFactory(null);
    } catch (Exception e) {
      // Not the exception's message: a parser may quote what it could not read.
      throw AdminCommand.usage(leaf, "--key-file '" + keyFile + "' holds no readable private key (expected PEM"
          + " PKCS#8 -----BEGIN PRIVATE KEY-----, RSA or EC)");
    }
    try {
      ServerTls.requireMatchingKeys(factory);
    } catch (IllegalArgumentException e) {
      throw AdminCommand.usage(leaf, "--key-file '" + keyFile + "' is not the private key of the certificate in"
          + " --cert-file '" + certFile + "'");
    }
    // Checked once the file is known to hold the key, so a wrong file is named as such first.
    secretFile(leaf, "--key-file", keyFile, "your staff certificate's private key");
    return (X509ExtendedKeyManager) factory.getKeyManagers()[0];
  }

  /**
   * Refuses a file holding the staff member's own secret (a staff token, a client certificate's key) that others on
   * this machine may read, or group or others may replace, as ssh refuses such a key and libpq such a .pgpass: read
   * by others, the token or key signs anyone on a shared host (a bastion, a jump host) in as staff. A usage mistake
   * naming the file, its mode and the chmod that fixes it; never the contents. Readable by the group is left to the
   * staff member (a team's group). Not checked where files have no POSIX mode, nor for a pipe ({@code <(...)}),
   * which only its reader sees.
   */
  private static void secretFile(CommandSpec leaf, String option, Path file, String contents) {
    com.timereg.gateway.tls.KeyFileMode.refusal(file, option, contents).ifPresent(m -> {
      throw AdminCommand.usage(leaf, m);
    });
    com.timereg.gateway.tls.KeyFileMode.of(file).filter(com.timereg.gateway.tls.KeyFileMode::readableByOthers)
        .ifPresent(m -> {
          throw AdminCommand.usage(leaf, option + " " + file + " is readable by others (mode " + m.octal()
              + "): anyone on this machine can read " + contents + " and act as you; chmod o-r " + file
              + " (or chmod 600)");
        });
  }

  /**
   * The client certificate, if any, noting whether the listener asked for one: with TLS 1.3 a listener that
   * requires one sends no alert the client sees, it only drops the connection, so the note is what lets the CLI say
   * why.
   */
  static final class ClientKeys extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager certificate;
    private volatile boolean asked;

    ClientKeys(X509ExtendedKeyManager certificate) {
      this.certificate = certificate;
    }

    boolean asked() {
      return asked;
    }

    boolean present() {
      return certificate != null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      asked = true;
      return certificate == null ? null : certificate.chooseEngineClientAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      asked = true;
      return certificate == null ? null : certificate.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return certificate == null ? null : certificate.getClientAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return certificate == null ? null : certificate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return certificate == null ? null : certificate.getPrivateKey(alias);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }

  /**
   * The staff access token in {@code tokenFile}, for {@code Authorization: Bearer}; taken from a file only, since a
   * command line is visible to every user of the machine ({@code ps}).
   */
  static String token(CommandSpec leaf, Path tokenFile) {
    String token = token(leaf, "--token-file '" + tokenFile + "'",
        new String(read(leaf, "--token-file", tokenFile), StandardCharsets.ISO_8859_1));
    secretFile(leaf, "--token-file", tokenFile, "the staff token");
    return token;
  }

  /** The staff access token {@code source} (an option and its file, or the environment variable) holds. */
  static String token(CommandSpec leaf, String source, String text) {
    String token = text.strip();
    if (token.isEmpty()) {
      throw AdminCommand.usage(leaf, source + " is empty");
    }
    if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
      throw AdminCommand.usage(leaf, source + " does not hold an access token (one line of"
          + " printable ASCII without spaces)");
    }
    return token;
  }

  /** The certificates in {@code pem}, at least one; the JDK's parser, whose verdict says more than Vert.x's. */
  private static Collection<? extends Certificate> certificates(CommandSpec leaf, String option, Path file, byte[] pem) {
    Collection<? extends Certificate> all;
    try {
      all = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
    } catch (GeneralSecurityException | RuntimeException e) {
      all = List.of();
    }
    if (all.isEmpty()) {
      throw AdminCommand.usage(leaf, option + " '" + file + "' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return all;
  }

  /**
   * The most a certificate, key or token file is read: a CA bundle of every public root is about 200 KB. Past it the
   * file is refused, so that a path naming a device ({@code /dev/zero}, {@code /dev/urandom}) or an endless pipe is
   * not read into memory until the JVM runs out of it. A pipe ({@code --token-file <(vault ...)}) is fine.
   */
  static final int MAX_FILE_BYTES = 1 << 20;

  private static byte[] read(CommandSpec leaf, String option, Path file) {
    try (java.io.InputStream in = Files.newInputStream(file)) {
      byte[] content = in.readNBytes(MAX_FILE_BYTES + 1);
      if (content.length > MAX_FILE_BYTES) {
        throw AdminCommand.usage(leaf, option + " '" + file + "' is larger than " + (MAX_FILE_BYTES >> 20)
            + " MiB: not a certificate, key or token file");
      }
      return content;
    } catch (NoSuchFileException e) {
      throw AdminCommand.usage(leaf, option + " '" + file + "' does not exist");
    } catch (AccessDeniedException e) {
      throw AdminCommand.usage(leaf, option + " '" + file + "' cannot be read (permission denied)");
    } catch (IOException | SecurityException e) {
      throw AdminCommand.usage(leaf, option + " '" + file + "' cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }
}
