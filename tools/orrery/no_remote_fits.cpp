// The orrery tool links cfitsio statically without libcurl: Debian's shared
// libcfitsio pulls in libcurl and ~30 more libraries (TLS, Kerberos, LDAP), whose
// loading alone costs ~25 ms at every start (`orrery list` takes 5 ms without them).
// cfitsio calls curl only to open https:// and ftps:// URLs, which orrery never
// does; these definitions make such an open fail cleanly (CURLE_FAILED_INIT).

#include <cstddef>

extern "C" {
void* curl_easy_init() { return nullptr; }
void curl_easy_cleanup(void*) {}
int curl_easy_perform(void*) { return 2; }
int curl_easy_setopt(void*, int, ...) { return 2; }
int curl_global_init(long) { return 2; }
void curl_global_cleanup() {}
}
