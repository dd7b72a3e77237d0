#include "adapters/sip/sip_message.h"

#include <osipparser2/osip_port.h>

#include <cstdarg>
#include <cstdlib>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace wissel::adapters::sip {
namespace {

void DiscardTrace(const char* /*file*/, int /*line*/, osip_trace_level_t /*level*/,
                  const char* /*format*/, va_list /*args*/) {}

// Frees a string allocated by libosip2.
struct OsipFree {
  void operator()(char* s) const { osip_free(s); }
};

// The headers a response copies, in long and compact form (RFC 3261 §7.3.3).
bool IsResponseHeader(absl::string_view lower_name) {
  return lower_name == "via" || lower_name == "v" || lower_name == "from" || lower_name == "f" ||
         lower_name == "to" || lower_name == "t" || lower_name == "call-id" || lower_name == "i" ||
         lower_name == "cseq";
}

bool IsToken(absl::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_' &&
        c != '!' && c != '%' && c != '*' && c != '+' && c != '`' && c != '\'' && c != '~') {
      return false;
    }
  }
  return true;
}

bool HasLineBreak(absl::string_view s) {
  return s.find('\r') != absl::string_view::npos || s.find('\n') != absl::string_view::npos ||
         s.find('\0') != absl::string_view::npos;
}

// Splits the header section of `text` (after the start line) into logical header lines,
// joining folded continuation lines. Stops at the empty line.
std::vector<std::string> HeaderLines(absl::string_view text) {
  std::vector<std::string> lines;
  size_t pos = text.find('\n');
  if (pos == absl::string_view::npos) return lines;
  ++pos;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !lines.empty()) {
      absl::StrAppend(&lines.back(), " ", absl::StripAsciiWhitespace(line));
    } else {
      lines.emplace_back(line);
    }
  }
  return lines;
}

}  // namespace

void OsipMessageDeleter::operator()(osip_message_t* message) const {
  if (message != nullptr) osip_message_free(message);
}

void InitOsip() {
  static std::once_flag once;
  std::call_once(once, [] {
    parser_init();
    osip_trace_initialize_func(TRACE_LEVEL0, &DiscardTrace);
    osip_trace_disable_level(TRACE_LEVEL0);
  });
}

absl::StatusOr<OsipMessagePtr> ParseSipMessage(absl::string_view bytes) {
  InitOsip();
  osip_message_t* raw = nullptr;
  if (osip_message_init(&raw) != OSIP_SUCCESS) return absl::ResourceExhaustedError("no memory");
  OsipMessagePtr message(raw);
  if (bytes.empty() || osip_message_parse(raw, bytes.data(), bytes.size()) != OSIP_SUCCESS) {
    return absl::InvalidArgumentError("not a SIP message libosip2 can parse");
  }
  return message;
}

absl::StatusOr<OsipMessagePtr> SalvageRequest(absl::string_view bytes, size_t max_bytes,
                                              std::string* problem) {
  InitOsip();
  if (bytes.size() > max_bytes) bytes = bytes.substr(0, max_bytes);
  const size_t eol = bytes.find('\n');
  if (eol == absl::string_view::npos) return absl::InvalidArgumentError("no request line");
  absl::string_view request_line = bytes.substr(0, eol);
  if (!request_line.empty() && request_line.back() == '\r') request_line.remove_suffix(1);
  if (HasLineBreak(request_line)) return absl::InvalidArgumentError("bad request line");
  const std::string start = absl::StrCat(request_line, "\r\n\r\n");
  absl::StatusOr<OsipMessagePtr> message = ParseSipMessage(start);
  if (!message.ok() || !MSG_IS_REQUEST(message->get()) || (*message)->sip_method == nullptr) {
    return absl::InvalidArgumentError("no parsable request line");
  }
  std::string what;
  for (const std::string& line : HeaderLines(bytes)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) {
      if (what.empty()) what = "a header line without ':'";
      continue;
    }
    std::string name(absl::StripAsciiWhitespace(absl::string_view(line).substr(0, colon)));
    std::string value(absl::StripAsciiWhitespace(absl::string_view(line).substr(colon + 1)));
    const std::string lower = absl::AsciiStrToLower(name);
    const bool needed = IsResponseHeader(lower);
    // libosip2 may rewrite the buffers it is given (it lower-cases the name): pass copies.
    std::string name_buffer = name;
    int result = OSIP_SUCCESS;
    if (needed) {
      result = osip_message_set_multiple_header(message->get(), name_buffer.data(), value.data());
    } else if (what.empty()) {
      // Only to name the culprit: try the header on a scratch message.
      osip_message_t* scratch = nullptr;
      if (osip_message_init(&scratch) == OSIP_SUCCESS) {
        OsipMessagePtr owner(scratch);
        result = osip_message_set_multiple_header(scratch, name_buffer.data(), value.data());
      }
    }
    if (result != OSIP_SUCCESS && what.empty()) {
      what = IsToken(name) ? absl::StrCat("malformed ", name, " header") : "a malformed header";
    }
  }
  if (problem != nullptr) *problem = what.empty() ? "malformed message" : what;
  return message;
}

bool ParsesAsUri(absl::string_view uri) {
  InitOsip();
  if (HasLineBreak(uri)) return false;
  osip_uri_t* parsed = nullptr;
  if (osip_uri_init(&parsed) != OSIP_SUCCESS) return false;
  const std::string text(uri);
  const bool ok = osip_uri_parse(parsed, text.c_str()) == OSIP_SUCCESS;
  osip_uri_free(parsed);
  return ok;
}

absl::string_view GenericHeader(const osip_message_t& message, absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  osip_header_t* header = nullptr;
  if (osip_message_header_get_byname(&message, lower.c_str(), 0, &header) < 0 ||
      header == nullptr || header->hvalue == nullptr) {
    return {};
  }
  return header->hvalue;
}

std::vector<absl::string_view> GenericHeaders(const osip_message_t& message,
                                              absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  std::vector<absl::string_view> values;
  osip_header_t* header = nullptr;
  int pos = 0;
  while ((pos = osip_message_header_get_byname(&message, lower.c_str(), pos, &header)) >= 0) {
    if (header != nullptr && header->hvalue != nullptr) values.emplace_back(header->hvalue);
    ++pos;
  }
  return values;
}

std::string UriUser(const osip_uri_t* uri) {
  if (uri == nullptr || uri->scheme == nullptr) return {};
  const std::string scheme = absl::AsciiStrToLower(uri->scheme);
  if (scheme == "sip" || scheme == "sips") {
    if (uri->username == nullptr) return {};
    absl::string_view user = uri->username;
    return std::string(user.substr(0, user.find(';')));
  }
  if (scheme == "tel" && uri->string != nullptr) {
    absl::string_view number = uri->string;
    return std::string(number.substr(0, number.find(';')));
  }
  return {};
}

absl::StatusOr<std::string> BuildResponse(const osip_message_t& request, const ResponseSpec& spec) {
  InitOsip();
  osip_message_t* raw = nullptr;
  if (osip_message_init(&raw) != OSIP_SUCCESS) return absl::ResourceExhaustedError("no memory");
  OsipMessagePtr response(raw);
  osip_message_set_version(raw, osip_strdup("SIP/2.0"));
  osip_message_set_status_code(raw, spec.code);
  const std::string reason = spec.reason.empty()
                                 ? std::string(osip_message_get_reason(spec.code) != nullptr
                                                   ? osip_message_get_reason(spec.code)
                                                   : "Unknown")
                                 : spec.reason;
  if (HasLineBreak(reason)) return absl::InvalidArgumentError("reason phrase with a line break");
  osip_message_set_reason_phrase(raw, osip_strdup(reason.c_str()));

  for (int pos = 0; !osip_list_eol(&request.vias, pos); ++pos) {
    auto* via = static_cast<osip_via_t*>(osip_list_get(&request.vias, pos));
    osip_via_t* copy = nullptr;
    if (via != nullptr && osip_via_clone(via, &copy) == OSIP_SUCCESS) {
      osip_list_add(&raw->vias, copy, -1);
    }
  }
  if (request.from != nullptr) osip_from_clone(request.from, &raw->from);
  if (request.to != nullptr && osip_to_clone(request.to, &raw->to) == OSIP_SUCCESS &&
      spec.code != 100 && !spec.to_tag.empty()) {
    osip_generic_param_t* tag = nullptr;
    char tag_name[] = "tag";  // libosip2 takes a non-const name
    if (osip_generic_param_get_byname(&raw->to->gen_params, tag_name, &tag) != OSIP_SUCCESS ||
        tag == nullptr) {
      osip_to_set_tag(raw->to, osip_strdup(spec.to_tag.c_str()));
    }
  }
  if (request.call_id != nullptr) osip_call_id_clone(request.call_id, &raw->call_id);
  if (request.cseq != nullptr) osip_cseq_clone(request.cseq, &raw->cseq);
  if (!spec.contact.empty()) {
    if (HasLineBreak(spec.contact) || !ParsesAsUri(spec.contact)) {
      return absl::InvalidArgumentError("contact URI does not parse");
    }
    const std::string contact = absl::StrCat("<", spec.contact, ">");
    if (osip_message_set_contact(raw, contact.c_str()) != OSIP_SUCCESS) {
      return absl::InvalidArgumentError("contact URI does not parse");
    }
  }
  for (const auto& [name, value] : spec.headers) {
    if (!IsToken(name) || HasLineBreak(value)) {
      return absl::InvalidArgumentError("bad header name or value");
    }
    if (osip_message_set_header(raw, name.c_str(), value.c_str()) != OSIP_SUCCESS) {
      return absl::InvalidArgumentError(absl::StrCat("cannot set header ", name));
    }
  }
  osip_message_set_content_length(raw, "0");
  char* text = nullptr;
  size_t length = 0;
  if (osip_message_to_str(raw, &text, &length) != OSIP_SUCCESS || text == nullptr) {
    return absl::InternalError("libosip2 could not serialise the response");
  }
  std::unique_ptr<char, OsipFree> owner(text);
  return std::string(text, length);
}

}  // namespace wissel::adapters::sip
