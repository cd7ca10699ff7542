package grid

import (
	"image"
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// pinnedVariant is the default theme pinned to light or dark, as the app's
// theme menu sets it.
type pinnedVariant struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (p *pinnedVariant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return p.Theme.Color(n, p.variant)
}

// luminance is a colour's relative luminance (WCAG 2).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG contrast ratio of two colours, 1 to 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// boxContrast is the best contrast between a pixel of r and r's commonest
// colour (its background): text painted in its background's colour gives 1.
func boxContrast(img image.Image, r image.Rectangle) float64 {
	counts := map[color.RGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			counts[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	var bg color.RGBA
	for c, n := range counts {
		if n > counts[bg] {
			bg = c
		}
	}
	best := 1.0
	for c := range counts {
		best = max(best, contrast(c, bg))
	}
	return best
}

// TestCellTextReadableAfterThemeSwitch renders the grid with the software
// painter in the dark theme, switches to light (and back, twice) the way
// the theme menu does, and reads the pixels of every visible cell's text:
// each stands out from its cell's background. This is the "near-white on
// white until scrolled" report, checked on what is painted rather than on
// the theme's settings.
func TestCellTextReadableAfterThemeSwitch(t *testing.T) {
	g, _, w, _ := newTestGrid(t, 12)
	a := fyne.CurrentApp()
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight, theme.VariantDark, theme.VariantLight} {
		a.Settings().SetTheme(&pinnedVariant{Theme: theme.DefaultTheme(), variant: v})
		w.Content().Refresh()
		g.Repaint()
		img := w.Canvas().Capture()
		scale := float32(img.Bounds().Dx()) / w.Canvas().Size().Width
		tp := a.Driver().AbsolutePositionForObject(g.table)
		view := image.Rect(int(tp.X*scale), int(tp.Y*scale), int((tp.X+g.table.Size().Width)*scale), int((tp.Y+g.table.Size().Height)*scale)).Intersect(img.Bounds())
		checked := 0
		for id, o := range g.cellObj {
			if id.Col == 0 {
				continue // the state column
			}
			_, label, _, _, _ := cellOf(o)
			if !label.Visible() || label.Text == "" {
				continue
			}
			for _, lo := range test.LaidOutObjects(label) {
				txt, ok := lo.(*canvas.Text)
				if !ok || txt.Text == "" {
					continue
				}
				pos := a.Driver().AbsolutePositionForObject(txt)
				box := image.Rect(int(pos.X*scale), int(pos.Y*scale), int((pos.X+txt.Size().Width)*scale), int((pos.Y+txt.Size().Height)*scale))
				r := box.Intersect(view)
				if r.Dx() < 4 || r.Dy() < box.Dy() {
					continue // partly or wholly scrolled out of sight
				}
				if c := boxContrast(img, r); c < 4.5 {
					t.Errorf("variant %v: cell %v %q has contrast %.2f with its background, want at least 4.5", v, id, txt.Text, c)
				}
				checked++
			}
		}
		if checked < 10 {
			t.Fatalf("variant %v: only %d cells with text were painted", v, checked)
		}
	}
}
