// Package eforms reads and writes eForms (UBL 2.3) procurement notices.
package eforms
