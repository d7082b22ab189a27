package seal

import (
	"os"
	"strings"
	"testing"
)

// Test key material (testdata/test-keys.txt): public, never for real use.
const (
	testID1    = "AGE-SECRET-KEY-1MN92S3RYEGW2ZWC5627GLES57AGJ0700854WW6P2E5AXWZTCRXDQ68AGEY"
	testRcpt1  = "age1e07hrnp38kw0y359tqut7p9se0fx04hqrxk2vpd978cawjs2msuqduykgf"
	testID2    = "AGE-SECRET-KEY-1J0HNU3J9XG0SWZ308L74HJP8NE0Z7HVR42GPFG92M27TVLAPSNGSKQTTRF"
	testRcpt2  = "age13zfffr629ckunprmrvmf3fwfvecfat5mcc2va39975vm8ss09uuqwnhkzk"
	testID3    = "AGE-SECRET-KEY-1603VHRDNMGKFFN7JGLQPCE8CKXQQU8LEPDX3UHP0526UWMZQ5TYSH7GYZZ"
	testSeed   = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	testPub    = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
	testKeyID  = "56475aa75463474c"
	testOldPub = "JUO5L/EJVRFHatyDadtt3JM2ZaEZeN2hQE7hBmypVZ0="
	testOldID  = "03396219237f75a6"
)

// secrets are the strings no error message or String may contain.
var secrets = []string{testID1, testID2, testID3, testSeed}

// testKeys parses testdata/test-keys.txt.
func testKeys(t testing.TB) *Keys {
	t.Helper()
	data, err := os.ReadFile("testdata/test-keys.txt")
	if err != nil {
		t.Fatal(err)
	}
	k, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// noSecret fails when s contains key material.
func noSecret(t testing.TB, s string) {
	t.Helper()
	for _, sec := range secrets {
		if strings.Contains(s, sec) || strings.Contains(s, sec[:min(20, len(sec))]) {
			t.Fatalf("leaks secret material %.20s…: %s", sec, s)
		}
	}
}
