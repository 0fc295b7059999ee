// TLS and mutual TLS on the API port (api.tls_cert_file / tls_key_file / tls_client_ca_file). The test
// makes its own PKI with the openssl CLI in a TempDir: a CA, a server certificate for 127.0.0.1 /
// localhost, a client certificate of that CA, and a second CA with its own client certificate.
//   TLS:  the right CA connects (unary and a Subscribe stream); another CA and a plaintext client fail.
//   mTLS: a client certificate of the configured CA connects; none, or one of another CA, fails.
#include <gtest/gtest.h>

#include <cstdlib>

#include "api_util.h"
#include "testsupport/wait.h"

namespace tronidx::apitest {
namespace {

struct Pki {
  TempDir dir{"tronidx-pki"};
  std::string path(const std::string& name) const { return dir.file(name).string(); }
  std::string pem(const std::string& name) const { return testsupport::read_text_file(dir.file(name)); }
};

// Runs a shell command; its output goes to <dir>/openssl.log. True on exit 0.
bool sh(const Pki& pki, const std::string& cmd) {
  const std::string full = "cd '" + pki.dir.path().string() + "' && (" + cmd + ") >>openssl.log 2>&1";
  return std::system(full.c_str()) == 0;
}

void make_pki(Pki& pki) {
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  ASSERT_TRUE(sh(pki, "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > server.ext"));
  ASSERT_TRUE(sh(pki, "printf 'extendedKeyUsage=clientAuth\\n' > client.ext"));
  for (const std::string ca : {"ca", "other-ca"}) {
    ASSERT_TRUE(sh(pki, "openssl req -x509 " + ec + " -keyout " + ca + ".key -out " + ca + ".crt -days 2 -subj /CN=" + ca))
        << pki.pem("openssl.log");
  }
  auto issue = [&](const std::string& name, const std::string& ca, const std::string& ext, const std::string& cn) {
    ASSERT_TRUE(sh(pki, "openssl req " + ec + " -keyout " + name + ".key -out " + name + ".csr -subj /CN=" + cn))
        << pki.pem("openssl.log");
    ASSERT_TRUE(sh(pki, "openssl x509 -req -in " + name + ".csr -CA " + ca + ".crt -CAkey " + ca +
                            ".key -CAcreateserial -days 2 -out " + name + ".crt -extfile " + ext))
        << pki.pem("openssl.log");
  };
  issue("server", "ca", "server.ext", "localhost");
  issue("client", "ca", "client.ext", "payments");
  issue("other-client", "other-ca", "client.ext", "intruder");
}

std::shared_ptr<grpc::ChannelCredentials> tls(const Pki& pki, const std::string& ca, const std::string& client = "") {
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = pki.pem(ca + ".crt");
  if (!client.empty()) {
    o.pem_cert_chain = pki.pem(client + ".crt");
    o.pem_private_key = pki.pem(client + ".key");
  }
  return grpc::SslCredentials(o);
}

grpc::Status get_status(const std::string& endpoint, std::shared_ptr<grpc::ChannelCredentials> creds) {
  auto ch = make_channel(endpoint, std::move(creds));
  auto stub = v1::Query::NewStub(ch);
  auto ctx = make_ctx(5s);
  v1::GetStatusResponse st;
  return stub->GetStatus(ctx.get(), v1::GetStatusRequest(), &st);
}

std::unique_ptr<ApiDaemon> start_tls_daemon(const SimProcess& sim, const Pki& pki, bool mutual) {
  ApiDaemonOptions o = daemon_options(sim, "all");
  o.start_block = 1;
  o.plaintext_unauthenticated = false;
  o.api_settings = {"allow_unauthenticated = true", "heartbeat_interval_ms = 300",
                    "tls_cert_file = \"" + pki.path("server.crt") + "\"",
                    "tls_key_file = \"" + pki.path("server.key") + "\""};
  if (mutual) o.api_settings.push_back("tls_client_ca_file = \"" + pki.path("ca.crt") + "\"");
  auto d = ApiDaemon::start(o);
  EXPECT_TRUE(d.ok()) << d.error().message;
  return d.ok() ? std::move(*d) : nullptr;
}

TEST(Tls, RightCaConnectsWrongCaAndPlaintextFail) {
  Pki pki;
  make_pki(pki);
  if (HasFatalFailure()) return;
  TS_ASSIGN(auto sim, start_sim({"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "10"}));
  auto d = start_tls_daemon(*sim, pki, false);
  ASSERT_NE(d, nullptr);
  const std::string ep = d->api_endpoint();
  ASSERT_TRUE(testsupport::wait_until([&] { return get_status(ep, tls(pki, "ca")).ok(); }, 30s))
      << describe(get_status(ep, tls(pki, "ca")));
  // By name too (the certificate names localhost).
  EXPECT_TRUE(get_status("localhost:" + ep.substr(ep.find(':') + 1), tls(pki, "ca")).ok());
  const grpc::Status wrong = get_status(ep, tls(pki, "other-ca"));
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAVAILABLE) << describe(wrong);
  const grpc::Status plain = get_status(ep, grpc::InsecureChannelCredentials());
  EXPECT_FALSE(plain.ok()) << "a plaintext client got an answer from the TLS port";
  // A subscription over TLS.
  EventStream::Options so;
  so.channel = make_channel(ep, tls(pki, "ca"));
  v1::SubscribeRequest req;
  req.add_tokens("TRX");
  EventStream s(ep, req, so);
  EXPECT_TRUE(s.wait_for([](const std::vector<Received>& r) { return !r.empty(); }, 30s)) << describe(s.status());
  // Health over TLS.
  TS_ASSIGN(const std::string health, health_check(make_channel(ep, tls(pki, "ca"))));
  EXPECT_TRUE(health == "SERVING" || health == "NOT_SERVING") << health;
}

TEST(Tls, MutualTlsNeedsAClientCertificateOfTheConfiguredCa) {
  Pki pki;
  make_pki(pki);
  if (HasFatalFailure()) return;
  TS_ASSIGN(auto sim, start_sim({"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "10"}));
  auto d = start_tls_daemon(*sim, pki, true);
  ASSERT_NE(d, nullptr);
  const std::string ep = d->api_endpoint();
  ASSERT_TRUE(testsupport::wait_until([&] { return get_status(ep, tls(pki, "ca", "client")).ok(); }, 30s))
      << describe(get_status(ep, tls(pki, "ca", "client")));
  const grpc::Status none = get_status(ep, tls(pki, "ca"));
  EXPECT_FALSE(none.ok()) << "no client certificate, yet: " << describe(none);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAVAILABLE) << describe(none);
  const grpc::Status other = get_status(ep, tls(pki, "ca", "other-client"));
  EXPECT_FALSE(other.ok()) << "a client certificate of another CA, yet: " << describe(other);
  EXPECT_EQ(other.error_code(), grpc::StatusCode::UNAVAILABLE) << describe(other);
  const grpc::Status plain = get_status(ep, grpc::InsecureChannelCredentials());
  EXPECT_FALSE(plain.ok());
  // Still serving the right client afterwards.
  EXPECT_TRUE(get_status(ep, tls(pki, "ca", "client")).ok());
}

}  // namespace
}  // namespace tronidx::apitest
