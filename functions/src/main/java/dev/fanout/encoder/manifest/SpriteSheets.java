package dev.fanout.encoder.manifest;

import dev.fanout.encoder.plan.ThumbnailPlanner.Layout;
import dev.fanout.encoder.plan.ThumbnailPlanner.Tile;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Lays thumbnail tiles (JPEGs the chunk workers took from their frames) out in sprite sheets:
 * row by row, left to right, every sheet the layout's grid, empty cells black. In memory, which is
 * bounded: at most 300 tiles in at most three sheets of 1600 × 900 pixels (16:9; about 6 MB each
 * as pixels). Headless AWT: Lambda has no display.
 */
public final class SpriteSheets {
    private SpriteSheets() {}

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** JPEG quality of a sheet; a 10 × 10 sheet of 160 × 90 testsrc2 tiles is about 200 KB. */
    static final float SHEET_QUALITY = 0.85f;

    /** A tile that is no picture of the layout's tile size. */
    public static final class BadTileException extends Exception {
        public BadTileException(String message) { super(message); }
    }

    /** Decodes one tile; it must be a picture of exactly the tile size. */
    public static BufferedImage decodeTile(Tile tile, byte[] jpeg) throws BadTileException {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(jpeg));
        } catch (IOException e) {
            throw new BadTileException("tile " + tile.index() + " (frame " + tile.frame() + ") does not decode: " + e.getMessage());
        }
        if (image == null) throw new BadTileException("tile " + tile.index() + " (frame " + tile.frame() + ") is no JPEG (" + jpeg.length + " bytes)");
        if (image.getWidth() != tile.width() || image.getHeight() != tile.height()) {
            throw new BadTileException("tile " + tile.index() + " is " + image.getWidth() + "x" + image.getHeight() + ", the layout says "
                    + tile.width() + "x" + tile.height());
        }
        return image;
    }

    /**
     * Sheet {@code sheet} (from 1) as a JPEG.
     *
     * @param tiles  every tile of the job, in order; {@code images} their pictures, same order
     */
    public static byte[] render(Layout layout, int sheet, List<Tile> tiles, List<BufferedImage> images) {
        BufferedImage out = new BufferedImage(layout.sheetWidth(), layout.sheetHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            for (int i = 0; i < tiles.size(); i++) {
                Tile t = tiles.get(i);
                if (t.sheet() == sheet) g.drawImage(images.get(i), t.x(), t.y(), null);
            }
        } finally {
            g.dispose();
        }
        return jpeg(out);
    }

    private static byte[] jpeg(BufferedImage image) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(SHEET_QUALITY);
            writer.write(null, new IIOImage(image, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
