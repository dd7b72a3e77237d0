// WebformService: the web form adapter's HTTP endpoints. Each submission becomes an
// asynchronous work item (channel web form) in its topic's team queue; the submission id is the
// idempotency key ("webform:" + id), so a resubmission returns the same contact.
//
//   POST /v1/forms/{tenant}/{topic}                  application/json or
//                                                    application/x-www-form-urlencoded
//        -> 202 Accepted {contact_id, expected_handling_date, queue, status_token, ...}
//           + Location
//   GET  /v1/forms/{tenant}/contacts/{contact_id}    the work item's state; needs
//                                                    "Authorization: Bearer STATUS_TOKEN"
//
// Status tokens (capability_token.h): the answer of the submission that created the work item
// carries a new random token; reading the status needs it. A resubmission (the router answers
// replayed) gets none: the submission id is the form platform's, maybe guessable, and must not
// hand out the status of someone else's submission. No token: 401. Another submission's token,
// a work item this instance does not know and one that does not exist get the same 404, so
// that a caller without the token learns nothing about which contact ids exist. The adapter
// keeps only the tokens' SHA-256, in memory (BoundedDirectory): after a restart, on another
// instance, or once forgotten, the status is 404 for every token.
//
// Submissions are rate limited per client address (HttpServer::RateLimit: 429 + Retry-After).
// Thread-safe: the HTTP server calls the handlers from its worker threads.
#pragma once

#include <cstddef>

#include "adapters/common/bounded_directory.h"
#include "adapters/common/http_server.h"
#include "adapters/common/router_client.h"
#include "adapters/webform/form_request.h"
#include "base/bearer_token.h"

namespace wissel::adapters::webform {

struct WebformOptions {
  // How submissions are read and what of them reaches the router.
  FormOptions form;
  // Status tokens remembered (their digests, about 150 bytes each); past it the least recently
  // issued or used is forgotten and its status is 404. Default 100000.
  size_t max_status_tokens = 100000;
};

class WebformService {
 public:
  // Registers the endpoints on `server` (before it starts) and its health check. `router` and
  // `server` must outlive this object.
  WebformService(WebformOptions options, RouterClient* router, HttpServer* server);

 private:
  void Submit(const httplib::Request& req, const RequestBody& body, httplib::Response& res);
  void Status(const httplib::Request& req, httplib::Response& res);
  // OK when `req` carries the status token of (tenant, contact_id). Unauthenticated without a
  // bearer token; NotFound "contact_id" for any other token and for a contact this instance
  // issued no (remembered) token for.
  absl::Status Authorize(const httplib::Request& req, const std::string& tenant,
                         const std::string& contact_id);
  void WriteError(const httplib::Request& req, httplib::Response& res, const absl::Status& status);

  const WebformOptions options_;
  RouterClient* const router_;
  HttpServer* const server_;
  // The SHA-256 of each status token, by tenant and contact id.
  BoundedDirectory<base::TokenDigest> status_tokens_;
};

}  // namespace wissel::adapters::webform
