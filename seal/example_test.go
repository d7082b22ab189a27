package seal_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/footprint-gpp/footprint/seal"
)

// Example shows the blocks in the order a tender uses them.
func Example() {
	dir, _ := os.MkdirTemp("", "seal-example")
	defer os.RemoveAll(dir)

	// Once per installation: the key file, outside the database.
	keys, _ := seal.Generate()
	_ = keys.Save(filepath.Join(dir, "keys"))
	keys, _ = seal.Load(filepath.Join(dir, "keys"))

	// Creating a tender: its key pair; the recipient is public, the
	// identity is stored wrapped.
	tk, _ := seal.NewTenderKey()
	recipient := tk.Recipient()
	wrapped, _ := keys.Wrap(tk)

	// A bid: commit to it, seal it (nonce inside) to the tender.
	bid := []byte(`{"supplier":"ACME","price":{"amount":"1000.00","currency":"EUR"}}`)
	nonce, _ := seal.NewNonce()
	commitment := seal.Commit(nonce, bid)
	sealed, _ := seal.SealFor(recipient, append(nonce[:], bid...))

	// The audit chain's new head, signed and checkpointed.
	head := seal.Head{TenderID: "9f2c41d0a7b3e655", Seq: 2, Hash: "6c5cd6775eb412207f7f71f11f09047f1475b2b7526063195b777a230fe4c2a6", At: time.Now()}
	sh, _ := keys.SignHead(head)
	cp, _ := seal.OpenCheckpoint(filepath.Join(dir, "heads"), keys.VerifyKeys())
	defer cp.Close()
	_ = cp.Append(sh)

	// Opening, after the deadline: unwrap, open, check the commitment.
	tk2, _ := keys.Unwrap(wrapped)
	plain, _ := tk2.Open(sealed)
	var n [seal.NonceSize]byte
	copy(n[:], plain)
	fmt.Println("commitment holds:", seal.CheckCommitment(commitment, n, plain[seal.NonceSize:]))

	// Anyone with the public keys verifies the receipt's head.
	parsed, _ := seal.ParseSignedHead(sh.String())
	fmt.Println("head verifies:", seal.VerifyHead(parsed, keys.VerifyKeys()) == nil)
	latest, _, _ := cp.Latest("9f2c41d0a7b3e655")
	fmt.Println("checkpointed seq:", latest.Seq)
	// Output:
	// commitment holds: true
	// head verifies: true
	// checkpointed seq: 2
}
