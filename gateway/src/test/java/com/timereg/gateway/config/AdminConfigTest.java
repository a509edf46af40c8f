package com.timereg.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.timereg.gateway.admin.AdminAccess;
import com.timereg.gateway.admin.AdminSettings;
import com.timereg.gateway.admin.AdminTlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminConfigTest {
  @TempDir Path dir;

  private GatewayConfig load(Map<String, String> env) throws Exception {
    Path file = dir.resolve("g.yaml");
    Files.writeString(file, "");
    return GatewayConfig.load(file, env::get, true);
  }

  @Test
  void shippedConfigurationKeepsTheConsoleOnLoopback() {
    GatewayConfig c = GatewayConfig.load(Path.of("..", "conf", "gateway.yaml"), k -> null, true);
    assertThat(c.admin().host()).isEqualTo("127.0.0.1");
    assertThat(c.admin().loopback()).isTrue();
    assertThat(c.admin().tls().enabled()).isFalse();
    assertThat(c.admin().tls().clientAuth()).isEqualTo(AdminTlsSettings.ClientAuth.REQUIRED);
    assertThat(c.admin().staffRole()).isEqualTo("security");
    assertThat(c.admin().viewerRole()).as("no read-only viewers unless configured").isEmpty();
    assertThat(AdminAccess.modeFor(c.admin())).isEqualTo(AdminAccess.Mode.LOOPBACK);
  }

  @Test
  void exposureDecidesTheAccessMode() throws Exception {
    Files.writeString(dir.resolve("c.pem"), "x");
    Files.writeString(dir.resolve("k.pem"), "x");
    assertThat(AdminAccess.modeFor(load(Map.of("GATEWAY_ADMIN__HOST", "::1")).admin())).isEqualTo(AdminAccess.Mode.LOOPBACK);
    assertThat(AdminAccess.modeFor(load(Map.of("GATEWAY_ADMIN__HOST", "localhost")).admin())).isEqualTo(AdminAccess.Mode.LOOPBACK);
    assertThat(AdminAccess.modeFor(load(Map.of("GATEWAY_ADMIN__HOST", "0.0.0.0")).admin())).isEqualTo(AdminAccess.Mode.CLOSED);
    AdminSettings exposed = load(Map.of("GATEWAY_ADMIN__HOST", "10.0.0.5",
        "GATEWAY_ADMIN__TLS__CERT_FILE", dir.resolve("c.pem").toString(),
        "GATEWAY_ADMIN__TLS__KEY_FILE", dir.resolve("k.pem").toString())).admin();
    assertThat(AdminAccess.modeFor(exposed)).isEqualTo(AdminAccess.Mode.STAFF);
    assertThat(exposed.tls().clientCertificates()).isFalse();
  }

  @Test
  void halfConfiguredTlsAndUnreadableFilesAreReportedTogether() {
    assertThatThrownBy(() -> load(Map.of(
        "GATEWAY_ADMIN__TLS__CERT_FILE", dir.resolve("missing-cert.pem").toString(),
        "GATEWAY_ADMIN__TLS__CLIENT_AUTH", "sometimes",
        "GATEWAY_ADMIN__LOGIN_EVENTS", "5")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("admin.tls.cert-file: cannot read")
        .hasMessageContaining("admin.tls: cert-file and key-file go together")
        .hasMessageContaining("admin.tls.client-auth: expected one of [required, requested]")
        .hasMessageContaining("admin.login-events: must be between 10");
    assertThatThrownBy(() -> load(Map.of("GATEWAY_ADMIN__TLS__CLIENT_CA_FILE", dir.toString())))
        .hasMessageContaining("client certificates need TLS");
  }

  @Test
  void aViewerRoleIsReadWhenGiven() throws Exception {
    assertThat(load(Map.of("GATEWAY_ADMIN__VIEWER_ROLE", "auditor")).admin().viewerRole()).contains("auditor");
  }

  @Test
  void aViewerRoleEqualToTheStaffRoleIsRefusedAtStart() {
    assertThatThrownBy(() -> load(Map.of("GATEWAY_ADMIN__VIEWER_ROLE", "security")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("admin.viewer-role: must differ from admin.staff-role (security)");
    assertThatThrownBy(() -> load(Map.of("GATEWAY_ADMIN__STAFF_ROLE", "ops", "GATEWAY_ADMIN__VIEWER_ROLE", "ops")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("admin.viewer-role: must differ from admin.staff-role (ops)");
  }

  @Test
  void aViewerRoleDifferingFromTheStaffRoleOnlyInLetterCaseIsRefusedAtStart() {
    // Roles in users.roles are compared exactly: 'Security' and 'security' are two roles, and with one for
    // viewers and the other for staff, whoever was given the wrong spelling silently gets the other role.
    assertThatThrownBy(() -> load(Map.of("GATEWAY_ADMIN__VIEWER_ROLE", "Security")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("admin.viewer-role: must differ from admin.staff-role (security) in more than letter case");
  }
}
