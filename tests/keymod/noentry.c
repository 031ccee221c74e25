/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A shared object that is no key module (tests/libecryptfs/t-keymod.c). */
__attribute__((visibility("default"))) int not_a_key_module(void);
__attribute__((visibility("default"))) int not_a_key_module(void)
{
	return 42;
}
