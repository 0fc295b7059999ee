#pragma once
// A minimal HTTP/1.1 server for the daemon's operational endpoints (/metrics, /healthz, /readyz), on the
// daemon's Asio io_context. GET only; one response per request; keep-alive honoured. Boost.Beast is
// confined to http_server.cc.

#include <functional>
#include <memory>
#include <string>

#include "tronidx/chain/result.h"

namespace boost::asio {
class io_context;
}

namespace tronidx::daemon {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpServer {
 public:
  // Called on the io_context thread for every GET; `target` is the request path (query string included).
  using Handler = std::function<HttpResponse(const std::string& target)>;

  // Binds `listen` ("host:port"; port 0 = any) and starts accepting. kUnavailable when it cannot bind.
  static Result<std::unique_ptr<HttpServer>> start(boost::asio::io_context& io, const std::string& listen,
                                                   Handler handler);
  ~HttpServer();
  int port() const;
  // Stops accepting (call on any thread; takes effect on the io thread).
  void stop();

 private:
  struct Impl;
  explicit HttpServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace tronidx::daemon
