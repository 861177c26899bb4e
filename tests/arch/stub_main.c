// SPDX-License-Identifier: BSD-2-Clause
/*
 * The main of the link-boundary checks (tests/arch/CMakeLists.txt): linked
 * with the whole archive of one library and only that library's declared
 * dependencies, it leaves every undefined symbol of the library to them.
 */
int main(void)
{
	return 0;
}
