package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf16"
)

// cfbSignature opens every OLE compound file: password-protected OOXML
// workbooks and Excel 97-2003 .xls files alike.
var cfbSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// pkg is an opened workbook package: the zip and the limits its parts are
// read under.
type pkg struct {
	zr    *zip.Reader
	files map[string]*zip.File // by lower-case path without leading slash
	lim   Limits
}

// openPackage checks the container and opens the zip. It reads nothing but
// the zip directory (and, for compound files, a few kilobytes to tell an
// encrypted workbook from an .xls).
func openPackage(r io.ReaderAt, size int64, lim Limits) (*pkg, error) {
	if size > lim.MaxFileBytes {
		return nil, &TooLargeError{What: "file size", Limit: lim.MaxFileBytes}
	}
	head := make([]byte, 8)
	n, _ := r.ReadAt(head, 0)
	if n == 0 {
		return nil, fmt.Errorf("empty file: %w", ErrNotXLSX)
	}
	if bytes.Equal(head[:n], cfbSignature) {
		return nil, compoundFileError(r, size)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("open zip: %v: %w", err, ErrNotXLSX)
	}
	p := &pkg{zr: zr, files: make(map[string]*zip.File, len(zr.File)), lim: lim}
	for _, f := range zr.File {
		p.files[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	return p, nil
}

// compoundFileError tells an encrypted OOXML workbook (whose compound file
// holds an "EncryptionInfo" stream) from a legacy .xls (a "Workbook" or
// "Book" stream). Directory entries are UTF-16 names; they sit near the start
// or the end of the file in what Excel and LibreOffice write.
func compoundFileError(r io.ReaderAt, size int64) error {
	const window = 256 << 10
	scan := func(off int64) []byte {
		if off < 0 {
			off = 0
		}
		n := min(int64(window), size-off)
		if n <= 0 {
			return nil
		}
		buf := make([]byte, n)
		m, _ := r.ReadAt(buf, off)
		return buf[:m]
	}
	blob := append(scan(0), scan(size-window)...)
	if bytes.Contains(blob, utf16le("EncryptionInfo")) || bytes.Contains(blob, utf16le("EncryptedPackage")) {
		return ErrEncrypted
	}
	if bytes.Contains(blob, utf16le("Workbook")) || bytes.Contains(blob, utf16le("Book")) {
		return ErrLegacyXLS
	}
	return fmt.Errorf("a compound document that is not a workbook: %w", ErrNotXLSX)
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return b
}

// has reports whether the package holds a part.
func (p *pkg) has(name string) bool {
	_, ok := p.files[strings.ToLower(strings.TrimPrefix(name, "/"))]
	return ok
}

// open returns a reader of an inflated part that fails with a *TooLargeError
// once more than MaxPartBytes come out, whatever the zip directory claims.
func (p *pkg) open(name string) (io.ReadCloser, error) {
	f, ok := p.files[strings.ToLower(strings.TrimPrefix(name, "/"))]
	if !ok {
		return nil, fmt.Errorf("part %s missing: %w", name, ErrNotXLSX)
	}
	if f.UncompressedSize64 > uint64(p.lim.MaxPartBytes) {
		return nil, &TooLargeError{What: "inflated " + name, Limit: p.lim.MaxPartBytes}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("open part %s: %v: %w", name, err, ErrNotXLSX)
	}
	return &boundedReader{rc: rc, left: p.lim.MaxPartBytes, limit: p.lim.MaxPartBytes, name: name}, nil
}

// boundedReader stops a zip bomb: it errors rather than inflate past the
// limit, and turns corrupt-stream errors into ErrNotXLSX.
type boundedReader struct {
	rc          io.ReadCloser
	left, limit int64
	name        string
}

func (b *boundedReader) Read(buf []byte) (int, error) {
	if b.left < 0 {
		return 0, &TooLargeError{What: "inflated " + b.name, Limit: b.limit}
	}
	if int64(len(buf)) > b.left+1 {
		buf = buf[:b.left+1]
	}
	n, err := b.rc.Read(buf)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, &TooLargeError{What: "inflated " + b.name, Limit: b.limit}
	}
	if err != nil && err != io.EOF {
		return n, fmt.Errorf("read part %s: %v: %w", b.name, err, ErrNotXLSX)
	}
	return n, err
}

func (b *boundedReader) Close() error { return b.rc.Close() }

// relTarget resolves a relationship target against the part it belongs to.
func relTarget(base, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/")
	}
	return path.Clean(path.Join(path.Dir(base), target))
}

// errIsLimit reports whether err is a limit error that must not be
// rewrapped as a format error.
func errIsLimit(err error) bool { return errors.Is(err, ErrTooLarge) }
