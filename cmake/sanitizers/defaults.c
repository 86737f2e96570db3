/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcrypto authors
 */

/*
 * Sanitizer run-time defaults, linked into every executable of a
 * VCRYPTO_SANITIZE=ON build (see the top CMakeLists.txt), so that tests give
 * the same result under ctest, by hand or under gdb. ASAN_OPTIONS,
 * UBSAN_OPTIONS and LSAN_OPTIONS in the environment still override them.
 */

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *__asan_default_options(void)
{
	return "detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1";
}

const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1";
}

const char *__lsan_default_suppressions(void)
{
	/*
	 * Measured with DPDK 22.11.11 (Debian 12, not built with ASan): EAL
	 * init with --no-huge and a crypto_openssl vdev, cryptodev
	 * configure/queue pair/start/stop/close, rte_vhost driver
	 * register/start/unregister, with and without rte_eal_cleanup():
	 * LeakSanitizer reports nothing (DPDK's heap is its own mmap()ed memory,
	 * and what it malloc()s stays reachable from its globals). One entry:
	 * crypto_aesni_mb's CPU crypto keeps an intel-ipsec-mb manager (about
	 * 200 KB) in a thread-local variable for every thread that used it and
	 * frees it never (only the thread removing the device frees its own),
	 * so a poller thread that ends leaves it behind. Add narrow entries
	 * here ("leak:<function>"), never a whole library: a suppression
	 * matches any frame of the stack, so "leak:librte_vhost" would also
	 * hide leaks of vcrypto's own callbacks run by rte_vhost.
	 */
	return "leak:alloc_mb_mgr\n";
}
