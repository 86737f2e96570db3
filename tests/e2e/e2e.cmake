# SPDX-License-Identifier: BSD-3-Clause
# End-to-end tests: real Linux VM guests under QEMU (TCG) using a virtio-crypto-pci device
# (examples/vm-guest). Label "e2e"; run with: ctest -L e2e --output-on-failure
# They need root or preinstalled Debian packages (qemu-system-x86 linux-image-amd64
# busybox-static cpio), else they skip (77). The guest image is cached in
# $VCRYPTO_VM_CACHE (default ~/.cache/vcrypto/vm).

# The guest test program runs in the VM as a static binary built by build-image.sh; building it
# here too keeps it under the project's warning flags.
add_executable(vcrypto-vm-guest-afalg-test ${PROJECT_SOURCE_DIR}/examples/vm-guest/guest-afalg-test.c)
target_link_libraries(vcrypto-vm-guest-afalg-test PRIVATE vcrypto_warnings)

set(_e2e_script ${PROJECT_SOURCE_DIR}/tests/e2e/vm-e2e.sh)
set(_e2e_dir ${CMAKE_CURRENT_BINARY_DIR}/e2e)

# (a) The harness against QEMU's built-in back end: proves image, guest program and vectors.
add_test(NAME e2e_vm_builtin
  COMMAND ${_e2e_script} --builtin --timeout 300 --workdir ${_e2e_dir}/builtin)

# (b) The same guest against vcrypto's host daemon (examples/hostd). The target is defined after
# this file is read (examples/ comes after tests/), hence the generator expression; without it
# the test skips with "vcrypto-hostd not built".
add_test(NAME e2e_vm_hostd
  COMMAND ${_e2e_script}
    --hostd "$<$<TARGET_EXISTS:vcrypto-hostd>:$<TARGET_FILE:vcrypto-hostd>>"
    --timeout 300 --guests 2 --workdir ${_e2e_dir}/hostd)

# (c), (d): guests that drive the device with DPDK 22.11's virtio crypto PMD
# (dpdk-test-crypto-perf --ptest verify, AES-CBC known answers from OpenSSL) instead of the
# kernel's driver.
add_test(NAME e2e_vm_builtin_dpdk
  COMMAND ${_e2e_script} --builtin --test dpdk --timeout 180 --workdir ${_e2e_dir}/builtin-dpdk)
add_test(NAME e2e_vm_hostd_dpdk
  COMMAND ${_e2e_script}
    --hostd "$<$<TARGET_EXISTS:vcrypto-hostd>:$<TARGET_FILE:vcrypto-hostd>>"
    --test dpdk --timeout 240 --workdir ${_e2e_dir}/hostd-dpdk)

# (c') A VM of 5 GiB: QEMU gives the back end two memory regions ([0, 2 GiB) and [4 GiB, 7 GiB)),
# and Linux's buffers and indirect tables lie mostly in the second; the walk's one-pass path must
# read every request (--one-pass: the daemon's general_walks stays 0; docs/performance.md, "The
# fourteenth round").
add_test(NAME e2e_vm_hostd_two_regions
  COMMAND ${_e2e_script}
    --hostd "$<$<TARGET_EXISTS:vcrypto-hostd>:$<TARGET_FILE:vcrypto-hostd>>"
    --timeout 300 --guests 1 --no-kill --mem 5G --one-pass
    --workdir ${_e2e_dir}/hostd-two-regions)

# One QEMU at a time (TCG is CPU-bound); each run is bounded by run-vm.sh --timeout too.
set_tests_properties(e2e_vm_builtin e2e_vm_hostd e2e_vm_builtin_dpdk e2e_vm_hostd_dpdk
  e2e_vm_hostd_two_regions
  PROPERTIES LABELS e2e TIMEOUT 900 SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)

# (e) One vcrypto-hostd, three ports, all three guest kinds at once: an AF_ALG VM, a DPDK-PMD VM
# and a container guest (vcrypto-guest files vs `openssl enc`, perf traffic throughout); then
# SIGTERM to the daemon with the container's traffic in flight (exit 0, every request accounted
# for). Measured on the 2-core development VM (two QEMUs under TCG): 34-85 s, 50-73 s with an
# ASan+UBSan daemon (the machine shared with other jobs).
add_test(NAME e2e_all_guests
  COMMAND ${PROJECT_SOURCE_DIR}/tests/e2e/all-guests.sh
    --hostd "$<$<TARGET_EXISTS:vcrypto-hostd>:$<TARGET_FILE:vcrypto-hostd>>"
    --guest "$<$<TARGET_EXISTS:vcrypto-guest-cli>:$<TARGET_FILE:vcrypto-guest-cli>>"
    --timeout 150 --workdir ${_e2e_dir}/all-guests)
set_tests_properties(e2e_all_guests
  PROPERTIES LABELS e2e TIMEOUT 240 SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
