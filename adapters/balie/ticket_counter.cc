#include "adapters/balie/ticket_counter.h"

#include <fcntl.h>
#include <glog/logging.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace wissel::adapters::balie {
namespace {

// The state file: one line "DAY A=42 B=7 ...".
absl::Status ParseState(const std::string& text, std::string* day, std::map<char, int>* last,
                        int max_number) {
  std::vector<std::string> words = absl::StrSplit(text, absl::ByAnyChar(" \n"), absl::SkipEmpty());
  if (words.empty() || words[0].size() != 10) {
    return absl::InvalidArgumentError("does not start with a day YYYY-MM-DD");
  }
  *day = words[0];
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    int n = 0;
    if (w.size() < 3 || w[0] < 'A' || w[0] > 'Z' || w[1] != '=' ||
        !absl::SimpleAtoi(w.substr(2), &n) || n < 0 || n > max_number) {
      return absl::InvalidArgumentError(absl::StrCat("bad entry '", w, "'"));
    }
    (*last)[w[0]] = n;
  }
  return absl::OkStatus();
}

}  // namespace

std::string FormatTicket(char letter, int number) {
  return absl::StrFormat("%c%03d", letter, number);
}

absl::StatusOr<std::unique_ptr<TicketCounter>> TicketCounter::Create(TicketCounterOptions options,
                                                                     absl::Time now) {
  if (options.max_number < 1 || options.max_number > 999) {
    return absl::InvalidArgumentError("max_number must be within 1..999");
  }
  std::unique_ptr<TicketCounter> counter(new TicketCounter(std::move(options)));
  const std::string& path = counter->options_.state_file;
  if (path.empty()) return counter;
  std::ifstream in(path);
  if (!in) return counter;  // first start: no file yet
  std::stringstream ss;
  ss << in.rdbuf();
  std::string day;
  std::map<char, int> last;
  if (absl::Status s = ParseState(ss.str(), &day, &last, counter->options_.max_number); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ticket state file ", path, ": ", s.message(),
                     "; remove it to restart today's numbering at 001"));
  }
  absl::MutexLock lock(&counter->mu_);
  if (day == counter->Day(now)) {
    counter->day_ = day;
    counter->last_ = std::move(last);
    LOG(INFO) << "ticket numbering of " << day << " continues from " << path;
  }
  return counter;
}

std::string TicketCounter::Day(absl::Time now) const {
  return absl::FormatTime("%Y-%m-%d", now, options_.zone);
}

std::string TicketCounter::Next(char letter, absl::Time now) {
  absl::MutexLock lock(&mu_);
  const std::string today = Day(now);
  if (today != day_) {
    day_ = today;
    last_.clear();
  }
  int& last = last_[letter];
  last = last >= options_.max_number ? 1 : last + 1;
  if (absl::Status s = SaveLocked(); !s.ok()) {
    LOG(ERROR) << "ticket state not saved: " << s.message();
  }
  return FormatTicket(letter, last);
}

void TicketCounter::Release(const std::string& ticket, absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (ticket.size() != 4 || Day(now) != day_) return;
  int number = 0;
  if (!absl::SimpleAtoi(ticket.substr(1), &number)) return;
  const auto it = last_.find(ticket[0]);
  if (it == last_.end() || it->second != number) return;
  it->second = number - 1;  // 0 after 001: the next is 001 again
  if (absl::Status s = SaveLocked(); !s.ok()) {
    LOG(ERROR) << "ticket state not saved: " << s.message();
  }
}

absl::Status TicketCounter::SaveLocked() const {
  if (options_.state_file.empty()) return absl::OkStatus();
  std::string text = day_;
  for (const auto& [letter, n] : last_) absl::StrAppend(&text, " ", std::string(1, letter), "=", n);
  text += "\n";
  const std::string tmp = options_.state_file + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::UnavailableError(absl::StrCat(tmp, ": ", std::strerror(errno)));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), options_.state_file.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat(options_.state_file, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace wissel::adapters::balie
