// Package tools pins the versions of the linters .ci/run builds. It is a
// separate module so that they never reach the library's users.
package tools
